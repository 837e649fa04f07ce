import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openCatalog } from '../../src/db/open-catalog';
import { readVersionContent } from '../../src/db/version-content';
import { BlobStore } from '../../src/storage/blob-store';
import { checkConsistency } from '../harness/check-consistency';
import { compileCli, spawnCli } from '../harness/compiled-cli';
import { ADMIN_URL, freshDatabase } from '../harness/database';
import { generateRepository, type GeneratedRepository } from '../harness/image-generator';
import { killOnExit } from '../harness/kill-on-exit';
import { LogLines, msg } from '../harness/log-lines';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy';
import { catalogRows, expectedRows } from './catalog-expectations';

/**
 * The compiled CLI with its database connections cut in the middle of a sync, through a TCP
 * proxy in front of the real PostgreSQL: `sync` rides out a short cut, lock included; the daemon
 * outlives an outage longer than its retries and succeeds at its next scheduled run.
 */

/** Every CLI process a test started, killed after it if still running. */
const started: ChildProcessWithoutNullStreams[] = [];
let buildDir: string;
let workDir: string;
let registry: RunningRegistry;
let proxy: TcpProxy;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let generated: GeneratedRepository;

beforeAll(async () => {
  buildDir = await compileCli();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'cs-outage-cli-'));
  registry = await startRegistry();
  generated = await generateRepository({
    tags: 12,
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    seed: 'database outage cli',
    uniqueLayerBytes: 5_000,
  });
  await pushGenerated(registry.url, 'outage/cli', generated);
  const server = new URL(ADMIN_URL);
  proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
});

beforeEach(async () => {
  db = await freshDatabase('postgres');
});

afterEach(async () => {
  // A test that failed midway leaves its processes running; their pipes would hold jest open.
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  proxy.accept();
  await db?.drop();
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function writeConfig(name: string, interval: string): Promise<string> {
  const file = path.join(workDir, name);
  await writeFile(
    file,
    'repositories:\n' +
      `  - name: app\n    upstream: ${registry.url}\n    repository: outage/cli\n` +
      `    interval: ${interval}\n`,
  );
  return file;
}

interface Started {
  child: ChildProcessWithoutNullStreams;
  logs: LogLines;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The CLI with its database through the proxy. */
function start(args: string[], retryWindow: string): Started {
  const child = spawnCli(buildDir, args, {
    cwd: workDir,
    env: {
      DATABASE_URL: proxy.urlThrough(db.options.url!),
      DATABASE_RETRY_WINDOW: retryWindow,
      DATA_DIR: db.dataDir,
      BATCH_SIZE: '2',
    },
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

/** The runs, and the catalog checked exact and consistent, read straight from the server. */
async function expectExactCatalog(): Promise<Array<{ result: string; version: number | null }>> {
  const { catalog, close } = await openCatalog(db.options);
  try {
    const content = await catalog.read((m) => readVersionContent(m, 'app'));
    expect(content.version).toBe(1);
    expect(content.tags).toEqual(generated.tags);
    expect(await catalogRows(catalog)).toEqual(expectedRows(generated.manifests));
    const found = await checkConsistency(catalog, new BlobStore(path.join(db.dataDir, 'store')));
    expect(Object.values(found).flat()).toEqual([]);
    return await catalog.read((m) =>
      m.query('SELECT result, version_number AS version FROM sync_run ORDER BY started_at'),
    );
  } finally {
    await close();
  }
}

it('sync rides out a short cut of every database connection, its lock included', async () => {
  const config = await writeConfig('short.yaml', '1h');
  const sync = start(['sync', '--config', config], '20s');
  await sync.logs.waitFor(msg('batch saved'), 3);

  proxy.cut({ reset: true });
  proxy.refuse();
  setTimeout(() => proxy.accept(), 500);
  const exit = await sync.exit;

  expect(exit).toEqual({ code: 0, signal: null });
  expect(sync.logs.count(msg('repository lock connection lost; taking it again'))).toBe(1);
  expect(sync.logs.count(msg('repository lock taken again', { repository: 'app' }))).toBe(1);
  expect(sync.logs.count(msg('repository lock lost'))).toBe(0);
  const summaries = sync.logs.lines.at(-1)?.['summaries'];
  expect(summaries).toEqual([
    expect.objectContaining({ repository: 'app', result: 'success', version: 1, failed: [] }),
  ]);
  expect(await expectExactCatalog()).toEqual([{ result: 'success', version: 1 }]);
}, 120_000);

it('the daemon outlives an outage longer than its retries and succeeds at its next run', async () => {
  const config = await writeConfig('daemon.yaml', '2s');
  const daemon = start(['run', '--config', config], '1s');
  await daemon.logs.waitFor(msg('batch saved'), 3);

  proxy.refuse();
  proxy.cut({ reset: true });
  const failed = await daemon.logs.waitFor(msg('sync failed'));
  await daemon.logs.waitFor(msg('could not record the failed run'));
  // The next scheduled run, with the database still down, fails as it starts.
  const failedAtStart = await daemon.logs.waitFor(msg('sync failed'), 2);
  proxy.accept();
  const finished = await daemon.logs.waitFor(msg('sync finished'), 1, 60_000);
  daemon.child.kill('SIGTERM');
  const exit = await daemon.exit;

  expect(exit).toEqual({ code: 0, signal: null });
  expect(daemon.logs.lines.at(-1)?.msg).toBe('daemon stopped');
  expect(failed).toMatchObject({ repository: 'app', result: 'failed', version: null });
  expect(failed['error']).toMatchObject({
    code: 'DATABASE_ERROR',
    message: expect.stringMatching(/^database connection lost: /),
  });
  expect(failedAtStart['err']).toMatchObject({
    code: 'DATABASE_ERROR',
    message: expect.stringMatching(/^database connection lost: /),
  });
  // The lock's connection retries over the same window as the run's queries: whichever gives up
  // first ends the run, so the lock may or may not log its loss before the run releases it.
  expect(daemon.logs.count(msg('repository lock lost'))).toBeLessThanOrEqual(1);
  expect(finished).toMatchObject({ repository: 'app', result: 'success', version: 1 });
  // The failed run could not be recorded while the database was down; the next run, holding the
  // repository's lock, found its row still running and marked it abandoned.
  const runs = await expectExactCatalog();
  expect(runs[0]).toEqual({ result: 'abandoned', version: null });
  expect(daemon.logs.count(msg('run that never recorded its end marked abandoned'))).toBe(1);
  expect(runs.filter((run) => run.result === 'success')).toEqual([
    { result: 'success', version: 1 },
  ]);
}, 120_000);
