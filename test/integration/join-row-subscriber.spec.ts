import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig } from '../harness/sync-rig';
import { catalogRows, expectedRows, joinRowCounts } from './catalog-expectations';

const PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux' },
  { architecture: 's390x', os: 'linux' },
];

describe('join rows come from the subscriber (postgres)', () => {
  let registry: RunningRegistry;
  let generated: GeneratedRepository;

  beforeAll(async () => {
    registry = await startRegistry();
    generated = await generateRepository({ tags: ['1', '2'], platforms: PLATFORMS, seed: 'joins' });
    await pushGenerated(registry.url, 'joins/app', generated);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  /** Syncs the generated index into a fresh catalog and reads back what it holds. */
  async function syncWith(subscribers: boolean) {
    const rig = await createSyncRig('postgres', { subscribers });
    try {
      const summary = await rig.sync({
        name: 'joins',
        registryUrl: registry.url,
        repository: 'joins/app',
      });
      return {
        summary,
        counts: await joinRowCounts(rig.catalog),
        rows: await catalogRows(rig.catalog),
      };
    } finally {
      await rig.close();
    }
  }

  it('with subscribers, an index has a row per image layer and per list entry', async () => {
    const want = expectedRows(generated.manifests);

    const { summary, counts, rows } = await syncWith(true);

    expect(summary.result).toBe('success');
    expect(counts).toEqual({ manifestBlob: 2 * 3 * 3, manifestListManifest: 2 * 3 });
    expect(rows.manifestBlobs).toEqual(want.manifestBlobs);
    expect(rows.listEntries).toEqual(want.listEntries);
  });

  it('without subscribers, the same sync saves every manifest but not one join row', async () => {
    const want = expectedRows(generated.manifests);

    const { summary, counts, rows } = await syncWith(false);

    expect(summary.result).toBe('success');
    expect(rows.manifests).toEqual(want.manifests);
    expect(rows.configs).toEqual(want.configs);
    expect(counts).toEqual({ manifestBlob: 0, manifestListManifest: 0 });
  });
});
