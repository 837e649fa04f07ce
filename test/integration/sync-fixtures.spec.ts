import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expectCatalogMatches } from '../harness/expect-catalog';
import {
  describeWithFixtures,
  FIXTURE_REPOSITORIES,
  pushFixture,
  type ExpectedRepository,
} from '../harness/fixtures';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { CHECK_NAMES, checkConsistency } from '../harness/check-consistency';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

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

    it.each(FIXTURE_REPOSITORIES)(
      '%s syncs to exactly what expected/ lists',
      async (repository) => {
        const summary = await rig.sync({ name: repository, registryUrl: proxy.url });

        expect(summary.failed).toEqual([]);
        expect(summary.result).toBe('success');
        expect(summary.version).toBe(1);
        const content = await rig.content(repository);
        expectCatalogMatches(content, expected.get(repository)!);
        for (const digest of content.blobs) {
          const bytes = await readFile(rig.store.pathOf(digest));
          expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(digest);
        }
      },
    );

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
      expect(Object.keys(found).sort()).toEqual([...CHECK_NAMES].sort());
    });
  });
});
