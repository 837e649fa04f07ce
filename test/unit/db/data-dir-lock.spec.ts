import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lockDataDir } from '../../../src/db/data-dir-lock';

describe('lockDataDir', () => {
  let dir: string;

  beforeEach(async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'cs-lock-')), 'pg');
  });

  afterEach(() => rm(path.dirname(dir), { recursive: true, force: true }));

  it('refuses a second holder with DATA_DIR_LOCKED naming the directory', async () => {
    const release = await lockDataDir(dir);

    const second = lockDataDir(dir);

    await expect(second).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
      data: { path: dir },
    });
    await release();
  });

  it('can be taken again once released', async () => {
    const release = await lockDataDir(dir);
    await release();

    const again = await lockDataDir(dir);

    await again();
  });
});

describe('lockDataDir after its holder died', () => {
  it('takes over a lock whose holder no longer runs, and keeps one whose holder does', async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'cs-lock-')), 'pg');
    const held = await lockDataDir(dir);
    await writeFile(path.join(dir, 'lock-owner.pid'), String(process.ppid));

    await expect(lockDataDir(dir)).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(path.join(dir, 'lock-owner.pid'), dead.stdout.toString());
    const taken = await lockDataDir(dir);

    expect(await readFile(path.join(dir, 'lock-owner.pid'), 'utf8')).toBe(String(process.pid));
    await taken();
    await held().catch(() => undefined);
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('regression: takes over the lock of another process killed with SIGKILL', async () => {
    // Before the fix the takeover called proper-lockfile's unlock, which only releases a lock of
    // its own process: a PGlite data dir stayed locked for a day after its holder was killed.
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'cs-lock-')), 'pg');
    await mkdir(dir);
    const holder = spawnSync(
      process.execPath,
      [
        '-e',
        `require('proper-lockfile')
           .lock(${JSON.stringify(dir)}, { realpath: false, stale: 86400000 })
           .then(() => {
             require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'lock-owner.pid'))},
               String(process.pid));
             process.kill(process.pid, 'SIGKILL');
           })`,
      ],
      { cwd: path.resolve(__dirname, '../../..') },
    );

    const taken = await lockDataDir(dir);

    expect(holder.signal).toBe('SIGKILL');
    expect(await readFile(path.join(dir, 'lock-owner.pid'), 'utf8')).toBe(String(process.pid));
    await taken();
    await rm(path.dirname(dir), { recursive: true, force: true });
  });
});
