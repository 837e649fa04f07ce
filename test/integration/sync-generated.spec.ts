import type { SyncSummary } from '../../src/pipeline/sync-repository';
import {
  type GenerateOptions,
  type GeneratedRepository,
  generateRepository,
} from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import type { RequestKind } from '../harness/request-kind';
import type { DatabaseKind } from '../harness/database';
import { createSyncRig, type SavedBatch } from '../harness/sync-rig';
import type { VersionContent } from '../../src/db/version-content';
import {
  catalogRows,
  expectedEdges,
  type ExpectedRows,
  expectedRows,
  fileDigest,
  registryManifestDigest,
  saveOrder,
} from './catalog-expectations';

const PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux', variant: 'v8' },
  { architecture: 'arm', os: 'linux', variant: 'v7' },
];

/** An OCI index per tag over three platforms, and plain Docker schema 2 images. */
const REPOSITORIES: Array<{ name: string; options: GenerateOptions }> = [
  {
    name: 'generated/oci',
    options: { tags: ['1.0', '1.1', '2.0', 'latest'], platforms: PLATFORMS, seed: 'gen-oci' },
  },
  {
    name: 'generated/docker',
    options: { tags: ['stable', 'edge'], format: 'docker', seed: 'gen-docker' },
  },
];

/** One batch per item, and one batch bigger than everything both repositories hold. */
const BATCH_SIZES = [1, 10_000] as const;

interface RepositoryRun {
  summary: SyncSummary;
  requests: Record<RequestKind, number>;
  batches: SavedBatch[];
}

function union(rows: ExpectedRows[]): ExpectedRows {
  const merge = (pick: (r: ExpectedRows) => string[]) => [...new Set(rows.flatMap(pick))].sort();
  return {
    blobs: merge((r) => r.blobs),
    manifests: merge((r) => r.manifests),
    manifestBlobs: merge((r) => r.manifestBlobs),
    listEntries: merge((r) => r.listEntries),
    configs: merge((r) => r.configs),
  };
}

let registry: RunningRegistry;
let proxy: CountingProxy;
const generated = new Map<string, GeneratedRepository>();

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startCountingProxy(registry.url);
  for (const { name, options } of REPOSITORIES) {
    const repository = await generateRepository(options);
    await pushGenerated(registry.url, name, repository);
    generated.set(name, repository);
  }
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

/**
 * What one rig recorded, read before it closes: PGlite keeps one database per process, so the
 * rigs of one kind are opened one after another.
 */
interface RigSnapshot {
  runs: Map<string, RepositoryRun>;
  content: Map<string, VersionContent>;
  rows: ExpectedRows;
  /** Every generated blob's stored file, hashed; `missing` when there is none. */
  files: Map<string, string>;
}

async function syncAndSnapshot(kind: DatabaseKind, batchSize: number): Promise<RigSnapshot> {
  const rig = await createSyncRig(kind);
  try {
    const runs = new Map<string, RepositoryRun>();
    const content = new Map<string, VersionContent>();
    for (const { name } of REPOSITORIES) {
      proxy.reset();
      const summary = await rig.sync({ name, registryUrl: proxy.url, pipeline: { batchSize } });
      runs.set(name, { summary, requests: proxy.counts(), batches: [...rig.batches] });
      rig.batches.length = 0;
      content.set(name, await rig.content(name));
    }
    const files = new Map<string, string>();
    for (const repository of generated.values()) {
      for (const digest of repository.blobs.keys()) {
        files.set(digest, await fileDigest(rig.store.pathOf(digest)).catch(() => 'missing'));
      }
    }
    return { runs, content, rows: await catalogRows(rig.catalog), files };
  } finally {
    await rig.close();
  }
}

describe.each(['postgres', 'pglite'] as const)('generated repositories synced on %s', (kind) => {
  const snapshots = new Map<number, RigSnapshot>();

  beforeAll(async () => {
    for (const batchSize of BATCH_SIZES) {
      snapshots.set(batchSize, await syncAndSnapshot(kind, batchSize));
    }
  });

  describe.each(BATCH_SIZES)('with batch size %i', (batchSize) => {
    it.each(REPOSITORIES.map((r) => r.name))('%s syncs completely into version 1', (name) => {
      const { summary } = snapshots.get(batchSize)!.runs.get(name)!;
      const repository = generated.get(name)!;

      expect(summary).toMatchObject({
        result: 'success',
        version: 1,
        failed: [],
        tags: Object.keys(repository.tags).length,
        manifests: repository.manifests.size,
        blobs: repository.blobs.size,
      });
    });

    it.each(REPOSITORIES.map((r) => r.name))(
      '%s: every tag names the digest a raw GET of the registry returns',
      async (name) => {
        const content = snapshots.get(batchSize)!.content.get(name)!;

        const tags = Object.keys(generated.get(name)!.tags).sort();
        expect(Object.keys(content.tags).sort()).toEqual(tags);
        for (const tag of tags) {
          const served = await registryManifestDigest(registry.url, name, tag);
          expect(served.reported).toBe(served.computed);
          expect(content.tags[tag]).toBe(served.reported);
        }
      },
    );

    it.each(REPOSITORIES.map((r) => r.name))(
      '%s: every config and layer blob is stored in a file that hashes to its digest',
      async (name) => {
        const { content, files } = snapshots.get(batchSize)!;

        const digests = [...generated.get(name)!.blobs.keys()].sort();
        expect(content.get(name)!.blobs).toEqual(digests);
        for (const digest of digests) expect(files.get(digest)).toBe(digest);
      },
    );

    it.each(REPOSITORIES.map((r) => r.name))(
      '%s: the version holds exactly the generated manifests, layer links and list entries',
      async (name) => {
        const want = expectedRows(generated.get(name)!.manifests);

        const content = snapshots.get(batchSize)!.content.get(name)!;

        expect(Object.keys(content.manifests).sort()).toEqual(want.manifests);
        expect(content.manifestBlobs.map((pair) => pair.join(' ')).sort()).toEqual(
          want.manifestBlobs,
        );
        expect(content.listManifests.map((row) => row.join(' ')).sort()).toEqual(want.listEntries);
        expect(
          Object.entries(content.manifestConfigs)
            .map((pair) => pair.join(' '))
            .sort(),
        ).toEqual(want.configs);
      },
    );

    it('the catalog holds each generated row exactly once', async () => {
      const want = union([...generated.values()].map((r) => expectedRows(r.manifests)));

      const { rows } = snapshots.get(batchSize)!;

      expect(rows).toEqual(want);
      expect(want.listEntries).toHaveLength(4 * PLATFORMS.length);
    });

    // The first repository goes into an empty catalog: no HEAD can save a GET there.
    it.each(REPOSITORIES.map((r, i) => [r.name, i === 0 ? 0 : 1] as const))(
      '%s: %i HEAD per tag, one GET per manifest and per blob',
      (name, headsPerTag) => {
        const repository = generated.get(name)!;

        const { requests } = snapshots.get(batchSize)!.runs.get(name)!;

        expect(requests).toMatchObject({
          tags: 1,
          manifestHead: Object.keys(repository.tags).length * headsPerTag,
          manifestGet: repository.manifests.size,
          blobGet: repository.blobs.size,
        });
      },
    );

    it.each(REPOSITORIES.map((r) => r.name))(
      '%s: blobs commit before their manifest, children before their list, manifests before tags',
      (name) => {
        const repository = generated.get(name)!;

        const order = saveOrder(snapshots.get(batchSize)!.runs.get(name)!.batches);

        expect(order.violations).toEqual([]);
        expect(order.checked).toEqual(expectedEdges(repository.manifests, repository.tags));
      },
    );
  });

  it('batch size 1 commits each item alone; 10,000 commits in several flushed batches', () => {
    const single = [...snapshots.get(1)!.runs.values()].flatMap((run) => run.batches);
    const large = [...snapshots.get(10_000)!.runs.values()].flatMap((run) => run.batches);

    const items = (batches: typeof single) => batches.reduce((n, b) => n + b.items.length, 0);
    expect(single.every((batch) => batch.items.length === 1)).toBe(true);
    expect(items(large)).toBe(items(single));
    expect(large.length).toBeGreaterThan(2 * REPOSITORIES.length);
    expect(large.length).toBeLessThan(single.length);
  });

  it('batch sizes 1 and 10,000 give the same catalog', () => {
    const [small, large] = BATCH_SIZES.map((size) => snapshots.get(size)!);

    expect(large!.rows).toEqual(small!.rows);
    expect(large!.content).toEqual(small!.content);
    expect([...large!.content.keys()]).toEqual(REPOSITORIES.map((r) => r.name));
  });
});
