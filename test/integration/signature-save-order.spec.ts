import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeWithFixtures, pushFixture, SHARED_FIXTURES } from '../harness/fixtures';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';
import { saveOrder } from './catalog-expectations';

/** The five manifests of multi-platform that carry a cosign `.sig` tag: from the folder names. */
async function signedDigests(): Promise<string[]> {
  const folders = await readdir(path.join(SHARED_FIXTURES, 'layouts/ocmirror-multi-platform-sigs'));
  return folders.map((f) => `sha256:${/^sha256-([a-f0-9]{64})-sig$/.exec(f)![1]}`).sort();
}

/** The signature layer digest of each `.sig` layout: one layer each. */
async function signatureLayers(): Promise<string[]> {
  const layers: string[] = [];
  for (const digest of await signedDigests()) {
    const dir = path.join(
      SHARED_FIXTURES,
      `layouts/ocmirror-multi-platform-sigs/sha256-${digest.slice(7)}-sig`,
    );
    const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string }>;
    };
    const manifestFile = path.join(dir, 'blobs/sha256', index.manifests[0]!.digest.slice(7));
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as {
      layers: Array<{ digest: string }>;
    };
    layers.push(...manifest.layers.map((l) => l.digest));
  }
  return layers.sort();
}

describeWithFixtures('cosign signatures in the save order', () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushFixture(registry.url, 'multi-platform');
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it.each([1, 1000])(
    'with batch size %i every signature is saved in a later batch than its manifest',
    async (batchSize) => {
      const rig: SyncRig = await createSyncRig('postgres');
      try {
        const summary = await rig.sync({
          name: 'multi-platform',
          registryUrl: registry.url,
          pipeline: { batchSize, tagFilter: (tag) => tag === 'latest' },
        });

        expect(summary.result).toBe('success');
        const content = await rig.content('multi-platform');
        expect(content.signatures.map((s) => s.digest)).toEqual(await signatureLayers());
        expect(content.signatures.map((s) => s.manifest).sort()).toEqual(await signedDigests());
        expect(content.signatures.every((s) => s.type === 'cosign' && s.keyId === null)).toBe(true);
        const order = saveOrder(rig.batches);
        expect(order.violations).toEqual([]);
        expect(order.checked.filter((edge) => edge.startsWith('signature '))).toHaveLength(5);
      } finally {
        await rig.close();
      }
    },
  );
});
