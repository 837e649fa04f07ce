import { SyncError } from '../errors';
import { Catalog } from './catalog';
import { lockDataDir } from './data-dir-lock';
import { createDataSource, type DatabaseOptions, embeddedDataDir, isEmbedded } from './data-source';

/**
 * typeorm-pglite keeps one PGlite instance per process (a static of its driver): a second
 * embedded catalog opened while one is open would silently read and write the first one's
 * database. Which directory is open, if any, so that a second open is refused instead.
 */
let openEmbeddedDir: string | undefined;

/** Connects, applies pending migrations, and hands back the catalog with a way to close it. */
export async function openCatalog(options: DatabaseOptions & { migrate?: boolean }) {
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
    if (options.migrate !== false) await dataSource.runMigrations({ transaction: 'each' });
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    await release(unlock);
    throw err;
  }
  const catalog = new Catalog(dataSource, { serialize: embedded !== undefined });
  return {
    catalog,
    close: async () => {
      await dataSource.destroy();
      await release(unlock);
    },
  };
}
