import type { DataSource } from 'typeorm';
import { SyncError } from '../errors';
import { MIGRATIONS_KEY } from './advisory-keys';
import { Catalog } from './catalog';
import type { ConnectionRetry } from './connection-retry';
import { lockDataDir } from './data-dir-lock';
import { createDataSource, type DatabaseOptions, embeddedDataDir, isEmbedded } from './data-source';

/**
 * typeorm-pglite keeps one PGlite instance per process (a static of its driver): a second
 * embedded catalog opened while one is open would silently read and write the first one's
 * database. Which directory is open, if any, so that a second open is refused instead.
 */
let openEmbeddedDir: string | undefined;

/** Connects, applies pending migrations, and hands back the catalog with a way to close it. */
export async function openCatalog(
  options: DatabaseOptions & { migrate?: boolean; retry?: ConnectionRetry },
) {
  const embedded = isEmbedded(options) ? embeddedDataDir(options) : undefined;
  if (embedded !== undefined && openEmbeddedDir !== undefined) {
    throw new SyncError(
      'DATA_DIR_LOCKED',
      `an embedded database (${openEmbeddedDir}) is already open in this process; ` +
        'close it before opening another',
      { path: embedded },
    );
  }
  if (embedded !== undefined) openEmbeddedDir = embedded;
  const release = async (unlock?: () => Promise<void>) => {
    await unlock?.();
    if (embedded !== undefined) openEmbeddedDir = undefined;
  };

  let unlock: (() => Promise<void>) | undefined;
  const dataSource = createDataSource(options);
  try {
    unlock = embedded !== undefined ? await lockDataDir(embedded) : undefined;
    await dataSource.initialize();
    if (options.migrate !== false) await migrate(dataSource, embedded === undefined);
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    await release(unlock);
    throw err;
  }
  const catalog = new Catalog(dataSource, {
    serialize: embedded !== undefined,
    retry: options.retry,
    log: options.log,
  });
  return {
    catalog,
    close: async () => {
      await dataSource.destroy();
      await release(unlock);
    },
  };
}

/**
 * Applies pending migrations. On a shared server, two processes started together (two daemons
 * on one database) would both find the same migrations pending and the second would fail on
 * tables the first made: an advisory lock makes one wait for the other, then find none pending.
 * It is a session lock on one connection, so a process that dies while migrating lets go of it.
 */
async function migrate(dataSource: DataSource, shared: boolean): Promise<void> {
  if (!shared) {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATIONS_KEY]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATIONS_KEY]);
    }
  } finally {
    await runner.release();
  }
}
