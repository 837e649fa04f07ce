import path from 'node:path';
import type { Logger } from 'pino';
import type { Catalog } from '../db/catalog';
import { openCatalog } from '../db/open-catalog';
import { toSyncError } from '../errors';
import { BlobStore } from '../storage/blob-store';

/** What every command works with: the catalog, the blob store and the logger. */
export interface AppContext {
  catalog: Catalog;
  store: BlobStore;
  log: Logger;
  /** Absolute; PGlite (when no DATABASE_URL) is under `pg/`, the blob store under `store/`. */
  dataDir: string;
  close(): Promise<void>;
}

export interface AppContextOptions {
  dataDir: string;
  databaseUrl?: string;
  log: Logger;
  /** Apply pending migrations on open (the default); `migrate` opens without, to list them. */
  migrate?: boolean;
}

export async function openAppContext(options: AppContextOptions): Promise<AppContext> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.databaseUrl ? { url: options.databaseUrl } : { dataDir };
  const opened = await openCatalog({ ...database, migrate: options.migrate }).catch(
    (err: unknown) => {
      throw toSyncError(err, 'DATABASE_ERROR');
    },
  );
  options.log.debug(
    { dataDir, database: options.databaseUrl ? 'postgres' : 'pglite' },
    'catalog opened',
  );
  return {
    catalog: opened.catalog,
    store: new BlobStore(path.join(dataDir, 'store')),
    log: options.log,
    dataDir,
    close: opened.close,
  };
}
