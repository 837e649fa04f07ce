import { mkdir } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { SyncError } from '../errors';

/**
 * Holds the embedded database's directory for this process. PGlite has no server to arbitrate
 * between processes, so a second process opening the same directory would corrupt it; it gets
 * DATA_DIR_LOCKED instead. A lock left by a killed process goes stale and is taken over.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  try {
    return await lockfile.lock(dir, { stale: 10_000, update: 2_000, realpath: false });
  } catch (err) {
    if ((err as { code?: string }).code === 'ELOCKED') {
      throw new SyncError(
        'DATA_DIR_LOCKED',
        `the embedded database in ${dir} is in use by another container-sync process; ` +
          'stop it, or set DATABASE_URL to share a PostgreSQL server',
        { path: dir },
        { cause: err },
      );
    }
    throw err;
  }
}
