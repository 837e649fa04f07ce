import { createTagFilter } from '../../src/config/tag-filter';
import { generateRepository, type GeneratedRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

/** Config and layer digests of one image manifest of the generated repository. */
function imageBlobs(generated: GeneratedRepository, manifestDigest: string) {
  const doc = JSON.parse(generated.manifests.get(manifestDigest)!.bytes.toString()) as {
    config: { digest: string };
    layers: Array<{ digest: string }>;
  };
  return { config: doc.config.digest, layers: doc.layers.map((l) => l.digest) };
}

describe('sync modes', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let rig: SyncRig;
  let generated: GeneratedRepository;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    rig = await createSyncRig('postgres');
    generated = await generateRepository({
      tags: ['1.0', '1.1', '2.0', '2.0-rc1', 'latest'],
      seed: 'modes',
    });
    await pushGenerated(registry.url, 'modes/app', generated);
  });

  afterAll(async () => {
    await rig?.close();
    await proxy?.stop();
    await registry?.stop();
  });

  it('keeps the included tags less the excluded ones', async () => {
    const tagFilter = createTagFilter(['1.*', '2.*'], ['*-rc*']);

    const summary = await rig.sync({
      name: 'filtered',
      registryUrl: proxy.url,
      repository: 'modes/app',
      pipeline: { tagFilter },
    });

    expect(summary.result).toBe('success');
    const content = await rig.content('filtered');
    expect(Object.keys(content.tags).sort()).toEqual(['1.0', '1.1', '2.0']);
    for (const tag of ['1.0', '1.1', '2.0']) expect(content.tags[tag]).toBe(generated.tags[tag]);
  });

  it('syncs an included digest without a tag', async () => {
    const digest = generated.tags['2.0-rc1']!;

    const summary = await rig.sync({
      name: 'by-digest',
      registryUrl: proxy.url,
      repository: 'modes/app',
      pipeline: { tagFilter: () => false, digests: [digest] },
    });

    expect(summary.result).toBe('success');
    expect(summary.version).toBe(1);
    const content = await rig.content('by-digest');
    expect(content.tags).toEqual({});
    expect(Object.keys(content.manifests)).toEqual([digest]);
    const { config, layers } = imageBlobs(generated, digest);
    expect(content.blobs).toEqual([config, ...layers].sort());
  });

  it('on_demand downloads config blobs only and records where each layer is', async () => {
    proxy.reset();
    const other = await generateRepository({ tags: ['a', 'b'], seed: 'on-demand' });
    await pushGenerated(registry.url, 'modes/lazy', other);
    proxy.reset();

    const summary = await rig.sync({
      name: 'lazy',
      registryUrl: proxy.url,
      repository: 'modes/lazy',
      pipeline: { policy: 'on_demand' },
    });

    expect(summary.result).toBe('success');
    const images = ['a', 'b'].map((tag) => imageBlobs(other, other.tags[tag]!));
    const configs = new Set(images.map((i) => i.config));
    const layers = new Set(images.flatMap((i) => i.layers));
    const blobGets = proxy.requests.filter((r) => r.kind === 'blobGet').map((r) => r.path);
    expect(blobGets.sort()).toEqual([...configs].map((d) => `/v2/modes/lazy/blobs/${d}`).sort());
    const rows: Array<{ digest: string; stored: boolean; url: string | null }> =
      await rig.catalog.read((m) =>
        m.query(
          `SELECT b.digest, b.stored, s.url FROM blob b LEFT JOIN blob_source s ON s.blob_id = b.id
            WHERE b.digest = ANY($1) ORDER BY b.digest`,
          [[...configs, ...layers]],
        ),
      );
    for (const row of rows) {
      if (configs.has(row.digest))
        expect(row).toEqual({ digest: row.digest, stored: true, url: null });
      else
        expect(row).toEqual({
          digest: row.digest,
          stored: false,
          url: `${proxy.url}/v2/modes/lazy/blobs/${row.digest}`,
        });
    }
    expect(rows).toHaveLength(configs.size + layers.size);
    const content = await rig.content('lazy');
    expect(content.blobs).toEqual([...configs, ...layers].sort());
  });
});
