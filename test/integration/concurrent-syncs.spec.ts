import path from 'node:path';
import pino from 'pino';
import type { Catalog } from '../../src/db/catalog';
import { openCatalog } from '../../src/db/open-catalog';
import { readVersionContent } from '../../src/db/version-content';
import { syncRepository, type SyncSummary } from '../../src/pipeline/sync-repository';
import { RegistryClient } from '../../src/registry/registry-client';
import { BlobStore } from '../../src/storage/blob-store';
import { freshDatabase } from '../harness/database';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { catalogRows, expectedRows } from './catalog-expectations';

/** Same seed, overlapping tags: `b` and `c` are the same manifests in both repositories. */
const REPOSITORIES = {
  'overlap/left': ['a', 'b', 'c'],
  'overlap/right': ['b', 'c', 'd'],
} as const;
type Name = keyof typeof REPOSITORIES;
const NAMES = Object.keys(REPOSITORIES) as Name[];

const PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux', variant: 'v8' },
];

interface ConcurrentRun {
  summaries: SyncSummary[];
  /** Which repository committed each batch, in commit order across both syncs. */
  commits: Name[];
  catalog: Catalog;
  close(): Promise<void>;
}

/**
 * Both repositories synced at once into one fresh database and one blob store: through two
 * catalogs (two DataSources, two pools), or through one catalog running both syncs.
 */
async function syncConcurrently(
  registryUrl: string,
  batchSize: number,
  catalogs: 1 | 2,
): Promise<ConcurrentRun> {
  const db = await freshDatabase('postgres');
  const first = await openCatalog(db.options);
  const second = catalogs === 2 ? await openCatalog({ ...db.options, migrate: false }) : first;
  const store = new BlobStore(path.join(db.dataDir, 'store'));
  const log = pino({ level: 'silent' });
  const commits: Name[] = [];

  const sync = (catalog: Catalog, name: Name) =>
    syncRepository(
      { catalog, store, log, onBatchSaved: () => commits.push(name) },
      {
        name,
        upstream: new RegistryClient({ registryUrl, repository: name }),
        mirror: false,
        pipeline: {
          batchSize,
          tagConcurrency: 3,
          childConcurrency: 2,
          downloadConcurrency: 4,
          tagFilter: () => true,
        },
      },
    );
  const summaries = await Promise.all([
    sync(first.catalog, 'overlap/left'),
    sync(second.catalog, 'overlap/right'),
  ]);
  return {
    summaries,
    commits,
    catalog: first.catalog,
    close: async () => {
      await first.close();
      if (second !== first) await second.close();
      await db.drop();
    },
  };
}

/** Rows per table, and distinct natural keys per table: equal when nothing is duplicated. */
async function duplicateCheck(catalog: Catalog) {
  return catalog.read(async (m) => {
    const [row] = (await m.query(`
      SELECT (SELECT count(*) FROM blob)::int AS blobs,
             (SELECT count(DISTINCT digest) FROM blob)::int AS blob_digests,
             (SELECT count(*) FROM manifest)::int AS manifests,
             (SELECT count(DISTINCT digest) FROM manifest)::int AS manifest_digests,
             (SELECT count(*) FROM tag)::int AS tags,
             (SELECT count(DISTINCT (name, manifest_id)) FROM tag)::int AS tag_keys,
             (SELECT count(*) FROM manifest_blob)::int AS manifest_blobs,
             (SELECT count(DISTINCT (manifest_id, blob_id)) FROM manifest_blob)::int
               AS manifest_blob_keys,
             (SELECT count(*) FROM manifest_list_manifest)::int AS list_entries,
             (SELECT count(DISTINCT (list_id, child_id)) FROM manifest_list_manifest)::int
               AS list_entry_keys`)) as Array<Record<string, number>>;
    return row!;
  });
}

describe('two repositories sharing content, synced at the same time on postgres', () => {
  let registry: RunningRegistry;
  const generated = new Map<Name, GeneratedRepository>();

  beforeAll(async () => {
    registry = await startRegistry();
    for (const name of NAMES) {
      const repository = await generateRepository({
        tags: [...REPOSITORIES[name]],
        platforms: PLATFORMS,
        seed: 'overlap',
      });
      await pushGenerated(registry.url, name, repository);
      generated.set(name, repository);
    }
  });

  afterAll(async () => {
    await registry?.stop();
  });

  describe.each([
    { batchSize: 1, catalogs: 2 as const },
    { batchSize: 2, catalogs: 2 as const },
    { batchSize: 1, catalogs: 1 as const },
  ])('with batch size $batchSize through $catalogs catalog(s)', ({ batchSize, catalogs }) => {
    let run: ConcurrentRun;

    beforeAll(async () => {
      run = await syncConcurrently(registry.url, batchSize, catalogs);
    });

    afterAll(async () => {
      await run?.close();
    });

    it('both syncs succeed, and their batches interleave', () => {
      const { summaries, commits } = run;

      expect(summaries.map((s) => [s.repository, s.result, s.version, s.failed])).toEqual([
        ['overlap/left', 'success', 1, []],
        ['overlap/right', 'success', 1, []],
      ]);
      const lastLeft = commits.lastIndexOf('overlap/left');
      expect(commits.indexOf('overlap/right')).toBeLessThan(lastLeft);
    });

    it('writes no row twice', async () => {
      const counts = await duplicateCheck(run.catalog);

      expect(counts.blobs).toBe(counts.blob_digests);
      expect(counts.manifests).toBe(counts.manifest_digests);
      expect(counts.tags).toBe(counts.tag_keys);
      expect(counts.manifest_blobs).toBe(counts.manifest_blob_keys);
      expect(counts.list_entries).toBe(counts.list_entry_keys);
      expect(counts.tags).toBe(4);
    });

    it('holds exactly the rows of both repositories, join rows on the right digests', async () => {
      const left = expectedRows(generated.get('overlap/left')!.manifests);
      const right = expectedRows(generated.get('overlap/right')!.manifests);
      const union = (pick: (rows: typeof left) => string[]) =>
        [...new Set([...pick(left), ...pick(right)])].sort();

      const rows = await catalogRows(run.catalog);

      expect(rows).toEqual({
        blobs: union((r) => r.blobs),
        manifests: union((r) => r.manifests),
        manifestBlobs: union((r) => r.manifestBlobs),
        listEntries: union((r) => r.listEntries),
        configs: union((r) => r.configs),
      });
      expect(rows.listEntries).toHaveLength(4 * PLATFORMS.length);
    });

    it.each(NAMES)('%s has its own tags in its version', async (name) => {
      const content = await run.catalog.read((m) => readVersionContent(m, name));

      expect(content.tags).toEqual(generated.get(name)!.tags);
      expect(Object.keys(content.manifests).sort()).toEqual(
        expectedRows(generated.get(name)!.manifests).manifests,
      );
    });
  });
});
