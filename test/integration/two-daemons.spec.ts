import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openCatalog } from '../../src/db/open-catalog';
import { readVersionContent } from '../../src/db/version-content';
import { BlobStore } from '../../src/storage/blob-store';
import { checkConsistency } from '../harness/check-consistency';
import { compileCli, spawnCli } from '../harness/compiled-cli';
import { freshDatabase } from '../harness/database';
import { generateRepository, type GeneratedRepository } from '../harness/image-generator';
import { killOnExit } from '../harness/kill-on-exit';
import { LogLines, msg } from '../harness/log-lines';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { catalogRows, expectedRows } from './catalog-expectations';

/**
 * Two processes on one PostgreSQL database with the same config: a repository is synced by one
 * of them at a time (its advisory lock). Two daemons take turns, the one that finds a repository
 * locked skips it; a `sync` beside a daemon waits for it.
 */

const SKIPPED = 'another process syncs it; skipped until the next run';
const WAITING = 'waiting for another process that syncs it';
const BLOB_DELAY_MS = 250;

/** Every CLI process a test started, killed after it if still running. */
const started: ChildProcessWithoutNullStreams[] = [];
let buildDir: string;
let workDir: string;
let registry: RunningRegistry;
/** In front of the registry for `large`: each blob GET held back, so its first sync is slow. */
let slow: CountingProxy;
let db: Awaited<ReturnType<typeof freshDatabase>>;
const generated: Record<'large' | 'small', GeneratedRepository> = {} as never;

beforeAll(async () => {
  buildDir = await compileCli();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'cs-two-daemons-'));
  registry = await startRegistry();
  // Slow enough that its first sync takes seconds: another process started meanwhile finds the
  // repository locked, however fast the machine.
  slow = await startCountingProxy(registry.url);
  slow.delay = (req) => (req.method === 'GET' && req.url?.includes('/blobs/') ? BLOB_DELAY_MS : 0);
  generated.large = await generateRepository({
    tags: 24,
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    seed: 'two daemons large',
    uniqueLayerBytes: 20_000,
  });
  generated.small = await generateRepository({ tags: ['a', 'b', 'c'], seed: 'two daemons small' });
  await pushGenerated(registry.url, 'busy/large', generated.large);
  await pushGenerated(registry.url, 'busy/small', generated.small);
});

beforeEach(async () => {
  db = await freshDatabase('postgres');
});

afterEach(async () => {
  // A test that failed midway leaves its processes running; their pipes would hold jest open.
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await db?.drop();
});

afterAll(async () => {
  await slow?.stop();
  await registry?.stop();
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function writeConfig(name: string, repositories: Array<'large' | 'small'>, interval: string) {
  const lines = ['repositories:'];
  for (const repository of repositories) {
    lines.push(
      `  - name: ${repository}`,
      `    upstream: ${repository === 'large' ? slow.url : registry.url}`,
      `    repository: busy/${repository}`,
      `    interval: ${interval}`,
    );
  }
  const file = path.join(workDir, name);
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

interface Started {
  child: ChildProcessWithoutNullStreams;
  logs: LogLines;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Started {
  const child = spawnCli(buildDir, args, {
    cwd: workDir,
    env: { DATABASE_URL: db.options.url, DATA_DIR: db.dataDir, BATCH_SIZE: '1' },
  });
  const forget = killOnExit(child);
  started.push(child);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      forget();
      resolve({ code, signal });
    }),
  );
  return { child, logs: new LogLines(child.stdout), exit };
}

interface RunRow {
  repository: string;
  result: string;
  started_at: Date;
  ended_at: Date | null;
  version_number: number | null;
}

/** Every run, and what a test reads from the catalog, through a catalog of the test's own. */
async function readCatalog() {
  const { catalog, close } = await openCatalog(db.options);
  try {
    const runs: RunRow[] = await catalog.read((m) =>
      m.query(
        `SELECT r.name AS repository, s.result, s.started_at, s.ended_at, s.version_number
           FROM sync_run s JOIN repository r ON r.id = s.repository_id
          ORDER BY r.name, s.started_at`,
      ),
    );
    const content = {
      large: await catalog.read((m) => readVersionContent(m, 'large')),
      small: await catalog.read((m) => readVersionContent(m, 'small')),
    };
    const rows = await catalogRows(catalog);
    const found = await checkConsistency(catalog, new BlobStore(path.join(db.dataDir, 'store')));
    return { runs, content, rows, found };
  } finally {
    await close();
  }
}

/** Runs of one repository, in start order, each ended before the next one started. */
function expectNoOverlap(runs: RunRow[]): void {
  for (const [i, run] of runs.entries()) {
    expect(run.ended_at).not.toBeNull();
    const next = runs[i + 1];
    if (next) expect(run.ended_at!.getTime()).toBeLessThanOrEqual(next.started_at.getTime());
  }
}

/** 'sync finished' lines of one process, or of one repository in it. */
function finishedBy(process: Started, repository?: string): number {
  return process.logs.count(msg('sync finished', repository ? { repository } : {}));
}

async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('two daemons on one database: one sync of a repository at a time, both work, exact catalog', async () => {
  const config = await writeConfig('daemons.yaml', ['large', 'small'], '1s');
  const first = start(['run', '--config', config]);
  const second = start(['run', '--config', config]);

  await eventually(
    () =>
      ['large', 'small'].every((name) => finishedBy(first, name) + finishedBy(second, name) >= 2) &&
      finishedBy(first) >= 2 &&
      finishedBy(second) >= 2 &&
      first.logs.count(msg(SKIPPED)) + second.logs.count(msg(SKIPPED)) >= 1,
    90_000,
    'each repository synced twice, by both daemons, and one skipped a locked repository',
  );
  first.child.kill('SIGTERM');
  second.child.kill('SIGTERM');
  const exits = await Promise.all([first.exit, second.exit]);

  expect(exits).toEqual([
    { code: 0, signal: null },
    { code: 0, signal: null },
  ]);
  const skipped = [...first.logs.lines, ...second.logs.lines].filter(msg(SKIPPED));
  expect(skipped[0]).toMatchObject({
    level: 30,
    repository: expect.stringMatching(/^(large|small)$/),
  });
  const { runs, content, rows, found } = await readCatalog();
  for (const name of ['large', 'small'] as const) {
    const ofRepository = runs.filter((run) => run.repository === name);
    expect(ofRepository.length).toBeGreaterThanOrEqual(2);
    expectNoOverlap(ofRepository);
    // The first run made the version; later ones found nothing new.
    expect(ofRepository.filter((run) => run.version_number !== null)).toEqual([
      expect.objectContaining({ result: 'success', version_number: 1 }),
    ]);
    expect(content[name].version).toBe(1);
    expect(content[name].tags).toEqual(generated[name].tags);
  }
  const both = expectedRows(new Map([...generated.large.manifests, ...generated.small.manifests]));
  expect(rows).toEqual(both);
  expect(Object.values(found).flat()).toEqual([]);
}, 150_000);

it('a sync beside a daemon that syncs the repository waits for it, logged once, then runs', async () => {
  const config = await writeConfig('beside.yaml', ['large'], '1h');
  const daemon = start(['run', '--config', config]);
  await daemon.logs.waitFor(msg('batch saved'), 3);

  const sync = start(['sync', '--config', config]);
  await sync.logs.waitFor(msg(WAITING));
  const daemonRun = await daemon.logs.waitFor(msg('sync finished'), 1, 90_000);
  const syncExit = await sync.exit;
  daemon.child.kill('SIGTERM');
  await daemon.exit;

  expect(syncExit.code).toBe(0);
  expect(sync.logs.count(msg(WAITING))).toBe(1);
  expect(sync.logs.lines.find(msg(WAITING))).toMatchObject({ repository: 'large' });
  expect(daemonRun).toMatchObject({ result: 'success', version: 1 });
  const summaries = sync.logs.lines.at(-1)?.['summaries'] as Array<Record<string, unknown>>;
  // The daemon had stored everything: the waiting sync found nothing new.
  expect(summaries).toEqual([
    expect.objectContaining({ repository: 'large', result: 'success', version: null, blobs: 0 }),
  ]);
  const { runs, content } = await readCatalog();
  expect(runs.map((run) => [run.result, run.version_number])).toEqual([
    ['success', 1],
    ['success', null],
  ]);
  expectNoOverlap(runs);
  expect(content.large.tags).toEqual(generated.large.tags);
}, 150_000);

it('a sync waiting for the lock stops on SIGTERM: interrupted, REPOSITORY_BUSY, exit 1', async () => {
  const config = await writeConfig('stopped.yaml', ['large'], '1h');
  const daemon = start(['run', '--config', config]);
  await daemon.logs.waitFor(msg('batch saved'), 3);

  const sync = start(['sync', '--config', config]);
  await sync.logs.waitFor(msg(WAITING));
  sync.child.kill('SIGTERM');
  const syncExit = await sync.exit;
  await daemon.logs.waitFor(msg('sync finished'), 1, 90_000);
  daemon.child.kill('SIGTERM');
  await daemon.exit;

  expect(syncExit).toEqual({ code: 1, signal: null });
  const last = sync.logs.lines.at(-1)!;
  expect(last).toMatchObject({ msg: 'sync complete', exitCode: 1 });
  expect(last['summaries']).toEqual([
    expect.objectContaining({
      repository: 'large',
      result: 'interrupted',
      error: {
        code: 'REPOSITORY_BUSY',
        message: 'stopped waiting for another process that syncs this repository',
        repository: 'large',
      },
    }),
  ]);
  // Only the daemon's run: the sync never started one.
  const { runs } = await readCatalog();
  expect(runs.map((run) => run.result)).toEqual(['success']);
}, 150_000);
