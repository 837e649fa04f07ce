import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { SyncError } from '../errors';

/** Time is no proof that a holder is gone (a paused process is alive): liveness decides. */
const NEVER_STALE_MS = 24 * 60 * 60 * 1000;
/** A lock without an owner file is taken over once it is this old (its taker died at once). */
const OWNERLESS_GRACE_MS = 30_000;

/**
 * Holds the embedded database's directory for this process. PGlite has no server to arbitrate
 * between processes, so a second process opening the same directory would corrupt it; it gets
 * DATA_DIR_LOCKED instead. The holder's PID is written beside the lock, and a lock whose holder
 * no longer runs (killed) is taken over; a holder that is merely paused keeps it.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const owner = path.join(dir, 'lock-owner.pid');
  const take = () =>
    lockfile.lock(dir, {
      stale: NEVER_STALE_MS,
      update: 60_000,
      realpath: false,
      // The lock directory vanished under a live holder: nothing safe to do but say so loudly.
      onCompromised: (err) =>
        process.emitWarning(`data directory lock compromised: ${err.message}`),
    });
  let release: () => Promise<void>;
  try {
    release = await take();
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    if (!(await holderIsGone(dir, owner))) throw locked(dir, err);
    // proper-lockfile's unlock only releases a lock this process holds, so a dead holder's lock
    // (its directory) is removed here. Known gap: two processes taking over in the same few
    // milliseconds could both pass the check, and the second remove the lock the first just took.
    await rm(`${dir}.lock`, { recursive: true, force: true });
    release = await take().catch((again: unknown) => {
      throw locked(dir, again);
    });
  }
  await writeFile(owner, String(process.pid));
  return release;
}

async function holderIsGone(dir: string, owner: string): Promise<boolean> {
  const pid = Number.parseInt(await readFile(owner, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(pid) && pid > 0) {
    if (pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  const lock = await stat(`${dir}.lock`).catch(() => undefined);
  return lock !== undefined && Date.now() - lock.mtimeMs > OWNERLESS_GRACE_MS;
}

function locked(dir: string, cause: unknown): SyncError {
  return new SyncError(
    'DATA_DIR_LOCKED',
    `the embedded database in ${dir} is in use by another container-sync process; ` +
      'stop it, or set DATABASE_URL to share a PostgreSQL server',
    { path: dir },
    { cause },
  );
}
