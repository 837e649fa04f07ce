import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { repositoryKey } from '../../src/db/advisory-keys';
import type { Catalog } from '../../src/db/catalog';
import { openCatalog } from '../../src/db/open-catalog';
import { lockRepository, type RepositoryLock } from '../../src/db/repository-lock';
import { ADMIN_URL, freshDatabase } from '../harness/database';
import { killOnExit } from '../harness/kill-on-exit';
import { LogLines, msg } from '../harness/log-lines';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy';

/**
 * The per-repository sync lock on real PostgreSQL: two catalogs (two pools, as two processes
 * have) on one database; a proxy in front of one of them to break its lock connection.
 */

/** Long enough that the other catalog takes the lock before the holder gives up on its own. */
const RETRY = { windowMs: 5_000, baseMs: 50, maxMs: 200 };

let db: Awaited<ReturnType<typeof freshDatabase>>;
let proxy: TcpProxy;
const opened: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  const server = new URL(ADMIN_URL);
  proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
});

beforeEach(async () => {
  db = await freshDatabase('postgres');
});

afterEach(async () => {
  proxy.accept();
  for (const catalog of opened.splice(0)) await catalog.close();
  await db.drop();
});

afterAll(async () => {
  await proxy?.stop();
});

function logged() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { log, lines, count: (text: string) => lines.filter((l) => l['msg'] === text).length };
}

async function open(through?: TcpProxy): Promise<Catalog> {
  const url = through ? through.urlThrough(db.options.url!) : db.options.url!;
  const catalog = await openCatalog({ url, retry: RETRY });
  opened.push(catalog);
  return catalog.catalog;
}

/** Which backend (pid) holds the repository's lock, if any. */
async function holderOf(catalog: Catalog, name: string): Promise<number | undefined> {
  const [space, id] = repositoryKey(name);
  const rows: Array<{ pid: number }> = await catalog.read((m) =>
    m.query(
      `SELECT pid FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objid = $2::oid
          AND objsubid = 2`,
      [space >>> 0, id >>> 0],
    ),
  );
  return rows[0]?.pid;
}

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await sleep(50);
  }
}

it('one holder at a time: a second waits, logged once, and takes it when the first lets go', async () => {
  const first = await open();
  const second = await open();
  const { log, count, lines } = logged();
  const held = (await lockRepository(first, 'app', { whenTaken: 'skip', log }))!;
  let taken: RepositoryLock | undefined;

  const waiting = lockRepository(second, 'app', { whenTaken: 'wait', log, pollMs: 50 }).then(
    (lock) => (taken = lock),
  );
  await sleep(600);
  const skipped = await lockRepository(second, 'app', { whenTaken: 'skip', log });
  const other = await lockRepository(second, 'other', { whenTaken: 'skip', log });
  const takenWhileHeld = taken;
  await held.release();
  await waiting;

  expect(takenWhileHeld).toBeUndefined();
  expect(skipped).toBeUndefined();
  expect(other).toBeDefined();
  expect(count('waiting for another process that syncs it')).toBe(1);
  expect(lines.find((l) => l['msg'] === 'waiting for another process that syncs it')).toMatchObject(
    { repository: 'app' },
  );
  expect(taken).toBeDefined();
  expect(await holderOf(first, 'app')).toBeDefined();
  await taken!.release();
  await other!.release();
  expect(await holderOf(first, 'app')).toBeUndefined();
  expect(await holderOf(first, 'other')).toBeUndefined();
});

it('a wait stops with REPOSITORY_BUSY when its signal aborts', async () => {
  const catalog = await open();
  const { log } = logged();
  const held = (await lockRepository(catalog, 'app', { whenTaken: 'skip', log }))!;
  const stop = new AbortController();

  const waiting = lockRepository(catalog, 'app', {
    whenTaken: 'wait',
    log,
    pollMs: 5_000,
    signal: stop.signal,
  });
  setTimeout(() => stop.abort(), 200);

  await expect(waiting).rejects.toMatchObject({
    code: 'REPOSITORY_BUSY',
    message: 'stopped waiting for another process that syncs this repository',
    data: { repository: 'app' },
  });
  await held.release();
});

it('is let go by PostgreSQL when its connection dies; the holder then finds it taken and stops', async () => {
  const holder = await open(proxy);
  const other = await open();
  const { log, count } = logged();
  const held = (await lockRepository(holder, 'app', { whenTaken: 'skip', log }))!;
  const holderPid = await holderOf(other, 'app');

  proxy.refuse();
  proxy.cut();
  const next = (await lockRepository(other, 'app', { whenTaken: 'wait', log, pollMs: 50 }))!;
  const nextPid = await holderOf(other, 'app');
  proxy.accept();
  await waitUntil(() => held.lost.aborted);

  expect(holderPid).toBeDefined();
  expect(nextPid).toBeDefined();
  expect(nextPid).not.toBe(holderPid);
  expect(count('repository lock connection lost; taking it again')).toBe(1);
  expect(held.lost.reason).toMatchObject({
    code: 'LOCK_LOST',
    message:
      "lost the repository's sync lock: another process took it while the connection holding it " +
      'was down; the run stops without making a version',
  });
  await held.release();
  expect(await holderOf(other, 'app')).toBe(nextPid);
  await next.release();
});

it('is taken again after a short cut when nobody else took it, and the run goes on', async () => {
  const holder = await open(proxy);
  const other = await open();
  const { log, count } = logged();
  const held = (await lockRepository(holder, 'app', { whenTaken: 'skip', log }))!;
  const before = await holderOf(other, 'app');

  proxy.cut({ reset: true });
  await waitUntil(() => count('repository lock taken again') === 1);
  const after = await holderOf(other, 'app');
  const skipped = await lockRepository(other, 'app', { whenTaken: 'skip', log });

  expect(held.lost.aborted).toBe(false);
  expect(after).toBeDefined();
  expect(after).not.toBe(before);
  expect(skipped).toBeUndefined();
  await held.release();
  expect(await holderOf(other, 'app')).toBeUndefined();
});

it('sees by the fencing token that another process held it while its connection was down', async () => {
  const holder = await open(proxy);
  const other = await open();
  const { log } = logged();
  const held = (await lockRepository(holder, 'app', { whenTaken: 'skip', log }))!;

  proxy.refuse();
  proxy.cut();
  const between = (await lockRepository(other, 'app', { whenTaken: 'wait', log, pollMs: 50 }))!;
  await between.release();
  proxy.accept();
  await waitUntil(() => held.lost.aborted);

  expect(held.lost.reason).toMatchObject({
    code: 'LOCK_LOST',
    message:
      "lost the repository's sync lock: another process held it while the connection was down; " +
      'the run stops without making a version',
  });
  const epochs: Array<{ sync_epoch: string }> = await other.read((m) =>
    m.query(`SELECT sync_epoch FROM repository WHERE name = 'app'`),
  );
  expect(epochs).toEqual([{ sync_epoch: '2' }]);
  await held.release();
  expect(await holderOf(other, 'app')).toBeUndefined();
});

it('is let go when the process holding it is killed', async () => {
  const catalog = await open();
  const [space, id] = repositoryKey('app');
  const script = `
    const { Client } = require('pg');
    const client = new Client({ connectionString: process.argv[1] });
    client.connect()
      .then(() => client.query('SELECT pg_advisory_lock($1, $2)', [${space}, ${id}]))
      .then(() => console.log(JSON.stringify({ msg: 'locked' })));
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script, db.options.url!], { cwd: process.cwd() });
  const forget = killOnExit(child);
  const lines = new LogLines(child.stdout);
  await lines.waitFor(msg('locked'));
  const { log } = logged();
  const whileAlive = await lockRepository(catalog, 'app', { whenTaken: 'skip', log });

  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  forget();
  let afterKill: RepositoryLock | undefined;
  await waitUntil(async () => {
    afterKill = await lockRepository(catalog, 'app', { whenTaken: 'skip', log });
    return afterKill !== undefined;
  });

  expect(whileAlive).toBeUndefined();
  expect(afterKill).toBeDefined();
  await afterKill!.release();
});

it('lets two processes that open a fresh database at once both migrate it', async () => {
  const [first, second] = await Promise.all([openCatalog(db.options), openCatalog(db.options)]);
  opened.push(first, second);

  const rows: Array<{ name: string }> = await first.catalog.read((m) =>
    m.query('SELECT name FROM migrations ORDER BY id'),
  );

  expect(rows.map((r) => r.name)).toEqual([
    'InitialCatalog1764780000000',
    'BlobSources1764790000000',
    'ManifestSignatures1764800000000',
    'SyncEpoch1764812000000',
  ]);
});

describe('on the embedded PGlite', () => {
  it('is a no-op: one process holds the data directory, and a session cannot exclude itself', async () => {
    const embedded = await freshDatabase('pglite');
    const { catalog, close } = await openCatalog(embedded.options);
    const { log } = logged();
    try {
      const first = await lockRepository(catalog, 'app', { whenTaken: 'skip', log });
      const second = await lockRepository(catalog, 'app', { whenTaken: 'skip', log });

      expect(first).toBeDefined();
      expect(second).toBeDefined();
      expect(first!.lost.aborted).toBe(false);
      await first!.release();
      await second!.release();
    } finally {
      await close();
      await embedded.drop();
    }
  });
});
