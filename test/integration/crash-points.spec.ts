import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CRASH_POINTS, type CrashPoint } from '../../src/crash-points';
import { ABANDONED_ERROR } from '../../src/db/abandon-running-runs';
import type { Catalog } from '../../src/db/catalog';
import { openCatalog } from '../../src/db/open-catalog';
import { readVersionContent, type VersionContent } from '../../src/db/version-content';
import { BlobStore } from '../../src/storage/blob-store';
import { inconsistencies } from '../harness/check-consistency';
import { compileCli, spawnCli } from '../harness/compiled-cli';
import type { CrashLine } from '../harness/crash-at';
import { type DatabaseKind, freshDatabase } from '../harness/database';
import { generateRepository, type GeneratedRepository } from '../harness/image-generator';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { companionTag, pushArtifact } from '../harness/signatures/artifacts';
import {
  buildCosignSignatures,
  type CosignSignatureManifest,
  createCosignKey,
} from '../harness/signatures/cosign';

/**
 * The compiled CLI killed with SIGKILL at each named crash point (src/crash-points.ts), by the
 * test hook preloaded into it, then run again: the re-run must finish, its version must hold
 * exactly what a run never killed holds, and every consistency check (catalog queries and the
 * blob store) must come back empty. Each point gets a fresh database; the registry and the
 * build are shared. A tally run first counts how often the scenario reaches each point, so a
 * point no test reaches fails here instead of rotting, and each kill lands in the middle of its
 * point's arrivals, where some batches are committed and others are not.
 */

const REPOSITORY = 'crash/app';
const TAGS = ['1.0', '1.1', '2.0', 'latest'];
/** Small, so each kind of batch is saved more than once. */
const BATCH_SIZE = 3;
/**
 * On PGlite, whose process dies with its whole database (and the data dir's lock), a subset:
 * points inside a transaction, where the embedded database must roll back on restart, and one
 * at each other step where the store, the catalog or the run's row can disagree.
 */
const PGLITE_POINTS: CrashPoint[] = [
  'run.started',
  'tags.page',
  'child-manifest.fetched',
  'blob.after-rename',
  'batch.blob.written',
  'batch.list.written',
  'join-rows.written',
  'batch.tag.committed',
  'batch.signature.committed',
  'version.inside',
  'version.committed',
];
/** A point costs two CLI runs; an embedded database starts slowly on a loaded machine. */
const POINT_TIMEOUT_MS = 240_000;

interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Array<Record<string, unknown>>;
  stderr: string;
}

interface Baseline {
  tally: Record<CrashPoint, number>;
  content: VersionContent;
  rows: Record<string, string>;
}

let buildDir: string;
let workDir: string;
let registry: RunningRegistry;
let generated: GeneratedRepository;
let signatures: CosignSignatureManifest[];
/** The list each of `signatures` signs. */
let signed: string[];

beforeAll(async () => {
  buildDir = await compileCli();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'cs-crash-'));
  registry = await startRegistry();
  generated = await generateRepository({
    tags: TAGS,
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    seed: 'crash points',
    // Big enough that a layer arrives in several chunks: 'blob.writing' needs a second one.
    uniqueLayerBytes: 200_000,
  });
  await pushGenerated(registry.url, REPOSITORY, generated);

  // Cosign `.sig` tags on two of the lists, one with two signatures: signature rows, which are
  // kept (untrusted) without keys. The generator's key is made here; nothing is verified.
  const key = createCosignKey();
  const reference = `${registry.host}/${REPOSITORY}`;
  signed = [generated.tags['1.0']!, generated.tags['2.0']!];
  signatures = [
    buildCosignSignatures([{ key, signedDigest: signed[0]!, dockerReference: reference }]),
    buildCosignSignatures([
      { key, signedDigest: signed[1]!, dockerReference: reference },
      { key, signedDigest: signed[1]!, dockerReference: `${reference}:2.0` },
    ]),
  ];
  for (const [i, sig] of signatures.entries()) {
    await pushArtifact(registry.url, REPOSITORY, sig, companionTag(signed[i]!, 'sig'));
  }

  await writeFile(
    path.join(workDir, 'config.yaml'),
    [
      'defaults:',
      `  batch_size: ${BATCH_SIZE}`,
      '  concurrency: 4',
      'repositories:',
      `  - name: ${REPOSITORY}`,
      `    upstream: ${registry.url}`,
      '',
    ].join('\n'),
  );
}, 180_000);

afterAll(async () => {
  await registry?.stop();
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** `sync` of the one repository, with the crash hook preloaded and `env` on top. */
function runSync(env: Record<string, string | undefined>): Promise<CliExit> {
  const child = spawnCli(buildDir, ['sync', '--config', 'config.yaml'], {
    cwd: workDir,
    env,
    nodeArgs: ['--require', path.join(buildDir, 'test/harness/crash-at-hook.js')],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout: stdout
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>),
        stderr,
      }),
    );
  });
}

async function withCatalog<T>(
  db: Awaited<ReturnType<typeof freshDatabase>>,
  work: (catalog: Catalog, store: BlobStore) => Promise<T>,
): Promise<T> {
  const opened = await openCatalog({ ...db.options, migrate: false });
  try {
    return await work(opened.catalog, new BlobStore(path.join(db.dataDir, 'store')));
  } finally {
    await opened.close();
  }
}

/** Row counts of the content tables: a re-run must not leave doubles or strays behind. */
async function rowCounts(catalog: Catalog): Promise<Record<string, string>> {
  const tables = ['blob', 'manifest', 'manifest_blob', 'manifest_list_manifest', 'tag'];
  const rows: Array<Record<string, string>> = await catalog.read((m) =>
    m.query(
      `SELECT ${[...tables, 'manifest_signature', 'repository_content']
        .map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`)
        .join(', ')}`,
    ),
  );
  return rows[0]!;
}

async function filesIn(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

function dbEnv(db: Awaited<ReturnType<typeof freshDatabase>>) {
  return { DATA_DIR: db.dataDir, DATABASE_URL: db.options.url };
}

/** Runs the scenario once, never killed, counting arrivals at every point. */
async function baselineRun(kind: DatabaseKind): Promise<Baseline> {
  const db = await freshDatabase(kind);
  try {
    const tallyFile = path.join(db.dataDir, 'tally.json');
    const run = await runSync({ ...dbEnv(db), CRASH_TALLY: tallyFile });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const tally = JSON.parse(await readFile(tallyFile, 'utf8')) as Record<CrashPoint, number>;
    return await withCatalog(db, async (catalog, store) => {
      expect(await inconsistencies(catalog, store)).toEqual({});
      return {
        tally,
        content: await catalog.read((m) => readVersionContent(m, REPOSITORY)),
        rows: await rowCounts(catalog),
      };
    });
  } finally {
    await db.drop();
  }
}

/** The middle arrival: some of the point's work is done and committed, some is not. */
function middle(count: number): number {
  return Math.max(1, Math.ceil(count / 2));
}

/** Kills a sync at the `n`-th arrival at `point`, re-runs it, and checks what is left. */
async function crashAndRerun(kind: DatabaseKind, point: CrashPoint, baseline: Baseline) {
  const count = baseline.tally[point] ?? 0;
  expect({ point, reached: count > 0 }).toEqual({ point, reached: true });
  const n = middle(count);
  const db = await freshDatabase(kind);
  try {
    const killed = await runSync({ ...dbEnv(db), CRASH_AT: `${point}:${n}` });
    const storedBefore = await filesIn(path.join(db.dataDir, 'store/blobs/sha256'));
    const tempBefore = await filesIn(path.join(db.dataDir, 'store/tmp'));
    const rerun = await runSync(dbEnv(db));

    expect({ code: killed.code, signal: killed.signal }).toEqual({ code: null, signal: 'SIGKILL' });
    const crashLines = killed.stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as CrashLine);
    expect(crashLines).toEqual([expect.objectContaining({ msg: 'crash point reached', point, n })]);
    expect(killed.stdout.some((line) => line['msg'] === 'sync complete')).toBe(false);
    expect({ code: rerun.code, stderr: rerun.stderr }).toEqual({ code: 0, stderr: '' });
    const summary = (rerun.stdout.at(-1)?.['summaries'] as Array<Record<string, unknown>>)[0];
    expect(summary).toMatchObject({ result: 'success', failed: [] });
    // What the killed run stored is not downloaded again.
    expect(summary?.['blobs']).toBe(baseline.content.blobs.length - storedBefore.length);
    // Killed mid-download, the partial file is in the temp dir (with those of downloads running
    // beside it), where no reader looks.
    if (point === 'blob.writing') expect(tempBefore.length).toBeGreaterThanOrEqual(1);

    await withCatalog(db, async (catalog, store) => {
      const content = await catalog.read((m) => readVersionContent(m, REPOSITORY));
      expect(content).toEqual(baseline.content);
      expect(await rowCounts(catalog)).toEqual(baseline.rows);
      expect(await inconsistencies(catalog, store)).toEqual({});
      const runs: Array<{ result: string; version_number: number | null; error: unknown }> =
        await catalog.read((m) =>
          m.query('SELECT result, version_number, error FROM sync_run ORDER BY started_at'),
        );
      // Killed after the version committed, the first run is complete and the second finds no
      // change; killed anywhere before, the first run is abandoned and the second makes v1.
      expect(runs).toEqual(
        point === 'version.committed'
          ? [
              { result: 'success', version_number: 1, error: null },
              { result: 'success', version_number: null, error: null },
            ]
          : [
              { result: 'abandoned', version_number: null, error: ABANDONED_ERROR },
              { result: 'success', version_number: 1, error: null },
            ],
      );
    });
    const abandonedLogs = rerun.stdout.filter(
      (line) => line['msg'] === 'run that never recorded its end marked abandoned',
    );
    expect(abandonedLogs).toHaveLength(point === 'version.committed' ? 0 : 1);
  } finally {
    await db.drop();
  }
}

/** What the scenario must sync, from the generator and the signatures pushed. */
function expectScenario(content: VersionContent) {
  const sigTags = Object.fromEntries(
    signatures.map((sig, i) => [companionTag(signed[i]!, 'sig'), sig.digest]),
  );
  expect(content.version).toBe(1);
  expect(content.tags).toEqual({ ...generated.tags, ...sigTags });
  expect(Object.keys(content.manifests).sort()).toEqual(
    [...generated.manifests.keys(), ...signatures.map((sig) => sig.digest)].sort(),
  );
  expect(content.blobs).toEqual(
    [
      ...new Set([
        ...generated.blobs.keys(),
        ...signatures.flatMap((sig) => [...sig.blobs.keys()]),
      ]),
    ].sort(),
  );
  const byDigest = (a: { digest: string }, b: { digest: string }) =>
    a.digest.localeCompare(b.digest);
  expect([...content.signatures].sort(byDigest)).toEqual(
    signatures
      .flatMap((sig, i) =>
        sig.layers.map((digest) => ({ digest, manifest: signed[i], type: 'cosign', keyId: null })),
      )
      .sort(byDigest),
  );
}

describe.each([
  ['postgres', CRASH_POINTS],
  ['pglite', PGLITE_POINTS],
] as Array<[DatabaseKind, readonly CrashPoint[]]>)('crash points on %s', (kind, points) => {
  let baseline: Baseline;

  beforeAll(async () => {
    baseline = await baselineRun(kind);
  }, POINT_TIMEOUT_MS);

  it('the run never killed syncs the whole scenario and reaches every point it tests', () => {
    expectScenario(baseline.content);
    const unreached = points.filter((point) => !(baseline.tally[point] > 0));
    expect(unreached).toEqual([]);
    // Every kind of batch is saved more than once, so a kill can land between two of them.
    const batchKinds = ['blob', 'manifest', 'list', 'tag', 'signature'];
    expect(
      batchKinds.filter((k) => !(baseline.tally[`batch.${k}.before` as CrashPoint] > 1)),
    ).toEqual([]);
  });

  it.each(points)(
    'killed at %s, a re-run completes into a consistent catalog',
    async (point) => {
      await crashAndRerun(kind, point, baseline);
    },
    POINT_TIMEOUT_MS,
  );
});
