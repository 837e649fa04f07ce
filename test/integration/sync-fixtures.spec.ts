import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  describeWithFixtures,
  FIXTURE_REPOSITORIES,
  pushFixture,
  type ExpectedRepository,
} from '../harness/fixtures';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { checkConsistency } from '../harness/check-consistency';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';
import type { VersionContent } from '../../src/db/version-content';

/** The catalog a sync recorded, in the shape of `expected/<repository>.json`. */
function asExpected(content: VersionContent) {
  return {
    tags: content.tags,
    manifests: Object.fromEntries(
      Object.entries(content.manifests).map(([digest, m]) => [
        digest,
        { media_type: m.mediaType, kind: expectedKind(m) },
      ]),
    ),
    blobs: content.blobs,
    manifest_blobs: content.manifestBlobs,
    manifest_configs: content.manifestConfigs,
    list_manifests: content.listManifests,
  };
}

/** expected/ names kinds by media type alone: schema1, index, or image for every other. */
function expectedKind(m: VersionContent['manifests'][string]): string {
  if (m.schemaVersion === 1) return 'schema1';
  return m.kind === 'index' ? 'index' : 'image';
}

function sorted(expected: ExpectedRepository) {
  const byText = <T>(rows: T[]) =>
    [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return {
    tags: expected.tags,
    manifests: expected.manifests,
    blobs: [...expected.blobs].sort(),
    manifest_blobs: byText(expected.manifest_blobs),
    manifest_configs: expected.manifest_configs,
    list_manifests: byText(expected.list_manifests),
  };
}

describe.each(['postgres', 'pglite'] as const)('fixtures synced on %s', (kind) => {
  describeWithFixtures(`every fixture repository on ${kind}`, () => {
    let registry: RunningRegistry;
    let proxy: CountingProxy;
    let rig: SyncRig;
    const expected = new Map<string, ExpectedRepository>();

    beforeAll(async () => {
      registry = await startRegistry();
      proxy = await startCountingProxy(registry.url);
      rig = await createSyncRig(kind);
      for (const repository of FIXTURE_REPOSITORIES) {
        expected.set(repository, await pushFixture(registry.url, repository));
      }
    });

    afterAll(async () => {
      await rig?.close();
      await proxy?.stop();
      await registry?.stop();
    });

    it.each(FIXTURE_REPOSITORIES)('%s syncs to exactly what expected/ lists', async (repository) => {
      const summary = await rig.sync({ name: repository, registryUrl: proxy.url });

      expect(summary.failed).toEqual([]);
      expect(summary.result).toBe('success');
      expect(summary.version).toBe(1);
      const content = asExpected(await rig.content(repository));
      const want = sorted(expected.get(repository)!);
      expect(content.tags).toEqual(want.tags);
      expect(content.manifests).toEqual(want.manifests);
      expect(content.blobs).toEqual(want.blobs);
      expect(sorted({ ...want, ...content } as ExpectedRepository).manifest_blobs).toEqual(
        want.manifest_blobs,
      );
      expect(content.manifest_configs).toEqual(want.manifest_configs);
      expect(sorted({ ...want, ...content } as ExpectedRepository).list_manifests).toEqual(
        want.list_manifests,
      );
      for (const digest of content.blobs) {
        const bytes = await readFile(rig.store.pathOf(digest));
        expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(digest);
      }
    });

    it.each(FIXTURE_REPOSITORIES)(
      '%s re-synced with no upstream change costs tags/list and one HEAD per tag',
      async (repository) => {
        proxy.reset();

        const summary = await rig.sync({ name: repository, registryUrl: proxy.url });

        expect(summary.result).toBe('success');
        expect(summary.version).toBeNull();
        const tagCount = Object.keys(expected.get(repository)!.tags).length;
        const counts = proxy.counts();
        expect(counts.manifestHead).toBe(tagCount);
        expect(counts.manifestGet).toBe(0);
        expect(counts.blobGet).toBe(0);
        expect(counts.blobHead).toBe(0);
        expect(counts.tags).toBe(1);
        expect(proxy.requests).toHaveLength(1 + tagCount);
      },
    );

    it('leaves a catalog the consistency checks find nothing wrong with', async () => {
      const found = await checkConsistency(rig.catalog, rig.store);

      expect(Object.values(found).flat()).toEqual([]);
      expect(Object.keys(found)).toHaveLength(8);
    });
  });
});
