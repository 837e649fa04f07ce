import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openCatalog } from '../../src/db/open-catalog';
import { readVersionContent } from '../../src/db/version-content';
import { BlobStore } from '../../src/storage/blob-store';
import { checkConsistency } from '../harness/check-consistency';
import { compileCli, spawnCli } from '../harness/compiled-cli';
import { freshDatabase } from '../harness/database';
import { generateRepository, type GeneratedRepository } from '../harness/image-generator';
import { LogLines, msg } from '../harness/log-lines';
import { writeOciLayout } from '../harness/write-oci-layout';

/**
 * The daemon and the one-shot sync as processes, on real Postgres: scheduling, SIGHUP reloads,
 * SIGTERM with the running batch committed, and SIGKILL in the middle of a sync.
 */

let buildDir: string;
let workDir: string;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let small: GeneratedRepository;
let large: GeneratedRepository;

beforeAll(async () => {
  buildDir = await compileCli();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'cs-daemon-'));
  small = await generateRepository({ tags: ['a', 'b'], seed: 'daemon small' });
  large = await generateRepository({
    tags: 40,
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    seed: 'daemon large',
    uniqueLayerBytes: 20_000,
  });
  await writeOciLayout(path.join(workDir, 'small'), small);
  await writeOciLayout(path.join(workDir, 'large'), large);
});

beforeEach(async () => {
  db = await freshDatabase('postgres');
});

afterEach(async () => {
  await db?.drop();
});

afterAll(async () => {
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function writeConfig(name: string, body: string): Promise<string> {
  const file = path.join(workDir, name);
  await writeFile(file, body);
  return file;
}

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawnCli(buildDir, args, {
    cwd: workDir,
    env: { DATABASE_URL: db.options.url, DATA_DIR: db.dataDir, ...env },
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs: new LogLines(child.stdout), exit };
}

async function withCatalog<T>(work: (c: Awaited<ReturnType<typeof openCatalog>>) => Promise<T>) {
  const opened = await openCatalog(db.options);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

function stop(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals) {
  child.kill(signal);
}

it('syncs on schedule, keeps its config on a bad reload, takes a good one, stops on SIGTERM', async () => {
  const config = await writeConfig(
    'daemon.yaml',
    'repositories:\n  - name: one\n    upstream: oci-layout:./small\n    interval: 1s\n',
  );
  const daemon = start(['run', '--config', config]);

  await daemon.logs.waitFor(msg('sync finished', { repository: 'one' }), 2);
  await writeFile(
    config,
    'repositories:\n  - name: one\n    upstream: oci-layout:./small\n    policy: fast\n',
  );
  stop(daemon.child, 'SIGHUP');
  const refused = await daemon.logs.waitFor(msg('config reload refused; kept the old one'));
  const runsBefore = daemon.logs.count(msg('sync finished', { repository: 'one' }));
  await daemon.logs.waitFor(msg('sync finished', { repository: 'one' }), runsBefore + 1);
  await writeFile(
    config,
    'repositories:\n' +
      '  - name: one\n    upstream: oci-layout:./small\n    interval: 1s\n' +
      '  - name: two\n    upstream: oci-layout:./small\n    interval: 1h\n',
  );
  stop(daemon.child, 'SIGHUP');
  await daemon.logs.waitFor(msg('sync finished', { repository: 'two' }));
  stop(daemon.child, 'SIGTERM');
  const exit = await daemon.exit;

  expect((refused['err'] as { message: string }).message).toContain(
    'repositories[0].policy: expected one of immediate, on_demand, got "fast"',
  );
  expect(exit).toEqual({ code: 0, signal: null });
  expect(daemon.logs.lines.at(-1)?.msg).toBe('daemon stopped');
  const versions = await withCatalog(({ catalog }) =>
    catalog.read(async (m) => ({
      one: await readVersionContent(m, 'one'),
      two: await readVersionContent(m, 'two'),
    })),
  );
  expect(versions.one.version).toBe(1);
  expect(versions.one.tags).toEqual(small.tags);
  expect(versions.two.tags).toEqual(small.tags);
}, 60_000);

it('on SIGTERM in the middle of a sync commits the running batch, exits 0, and the next run finishes', async () => {
  const config = await writeConfig(
    'large.yaml',
    'repositories:\n  - name: large\n    upstream: oci-layout:./large\n    interval: 1h\n',
  );
  const daemon = start(['run', '--config', config], { BATCH_SIZE: '1' });
  await daemon.logs.waitFor(msg('batch saved'), 5);

  stop(daemon.child, 'SIGTERM');
  const exit = await daemon.exit;
  const rerun = start(['sync', '--config', config]);
  const rerunExit = await rerun.exit;

  expect(exit).toEqual({ code: 0, signal: null });
  expect(daemon.logs.count(msg('sync interrupted; what was saved is kept for the next run'))).toBe(
    1,
  );
  expect(rerunExit.code).toBe(0);
  await withCatalog(async ({ catalog }) => {
    const runs: Array<{ result: string; version_number: number | null }> = await catalog.read((m) =>
      m.query('SELECT result, version_number FROM sync_run ORDER BY started_at'),
    );
    expect(runs).toEqual([
      { result: 'interrupted', version_number: null },
      { result: 'success', version_number: 1 },
    ]);
    const content = await catalog.read((m) => readVersionContent(m, 'large'));
    expect(content.tags).toEqual(large.tags);
    const found = await checkConsistency(catalog, new BlobStore(path.join(db.dataDir, 'store')));
    expect(Object.values(found).flat()).toEqual([]);
  });
}, 90_000);

it('killed with SIGKILL in the middle of a sync, then run again: a consistent, complete catalog', async () => {
  const config = await writeConfig(
    'kill.yaml',
    'repositories:\n  - name: large\n    upstream: oci-layout:./large\n',
  );
  const first = start(['sync', '--config', config], { BATCH_SIZE: '2' });
  await first.logs.waitFor(msg('batch saved'), 10);

  stop(first.child, 'SIGKILL');
  const killed = await first.exit;
  const storedBefore = await readdir(path.join(db.dataDir, 'store/blobs/sha256'));
  const second = start(['sync', '--config', config]);
  const secondExit = await second.exit;

  expect(killed.signal).toBe('SIGKILL');
  expect(secondExit.code).toBe(0);
  const summary = (second.logs.lines.at(-1)?.['summaries'] as Array<{ blobs: number }>)[0];
  expect(storedBefore.length).toBeGreaterThan(0);
  expect(summary?.blobs).toBe(large.blobs.size - storedBefore.length);
  await withCatalog(async ({ catalog }) => {
    const content = await catalog.read((m) => readVersionContent(m, 'large'));
    expect(content.version).toBe(1);
    expect(content.tags).toEqual(large.tags);
    expect(content.blobs).toEqual([...large.blobs.keys()].sort());
    expect(Object.keys(content.manifests).sort()).toEqual([...large.manifests.keys()].sort());
    const rows: Array<{ blobs: string; manifests: string }> = await catalog.read((m) =>
      m.query(
        'SELECT (SELECT count(*) FROM blob) AS blobs, (SELECT count(*) FROM manifest) AS manifests',
      ),
    );
    expect(rows[0]).toEqual({
      blobs: String(large.blobs.size),
      manifests: String(large.manifests.size),
    });
    const found = await checkConsistency(catalog, new BlobStore(path.join(db.dataDir, 'store')));
    expect(Object.values(found).flat()).toEqual([]);
  });
}, 90_000);
