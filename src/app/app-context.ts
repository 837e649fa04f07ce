import path from 'node:path';
import type { Logger } from 'pino';
import type { Catalog } from '../db/catalog';
import { DEFAULT_CONNECTION_RETRY } from '../db/connection-retry';
import { openCatalog } from '../db/open-catalog';
import { SyncError } from '../errors';
import { RateLimiters } from '../registry/resilience/rate-limiter';
import { BlobStore } from '../storage/blob-store';

/** What every command works with: the catalog, the blob store and the logger. */
export interface AppContext {
  catalog: Catalog;
  store: BlobStore;
  log: Logger;
  /** Per-host request rates, one set for the whole process (see the registry's config). */
  rateLimiters: RateLimiters;
  /** Absolute; PGlite (when no DATABASE_URL) is under `pg/`, the blob store under `store/`. */
  dataDir: string;
  close(): Promise<void>;
}

export interface AppContextOptions {
  dataDir: string;
  databaseUrl?: string;
  /** DATABASE_RETRY_WINDOW: how long a lost database connection is retried (default 30s). */
  databaseRetryMs?: number;
  log: Logger;
  /** Apply pending migrations on open (the default); `migrate` opens without, to list them. */
  migrate?: boolean;
}

export async function openAppContext(options: AppContextOptions): Promise<AppContext> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.databaseUrl ? { url: options.databaseUrl } : { dataDir };
  const retry = { ...DEFAULT_CONNECTION_RETRY };
  if (options.databaseRetryMs !== undefined) retry.windowMs = options.databaseRetryMs;
  const opened = await openCatalog({
    ...database,
    migrate: options.migrate,
    retry,
    log: options.log,
  }).catch((err: unknown) => {
    if (err instanceof SyncError) throw err;
    const where = options.databaseUrl ? 'the PostgreSQL database (DATABASE_URL)' : dataDir;
    const message = err instanceof Error ? err.message : String(err);
    throw new SyncError(
      'DATABASE_ERROR',
      `cannot open the catalog in ${where}: ${message}`,
      {
        path: options.databaseUrl ? undefined : dataDir,
      },
      { cause: err },
    );
  });
  options.log.debug(
    { dataDir, database: options.databaseUrl ? 'postgres' : 'pglite' },
    'catalog opened',
  );
  const store = new BlobStore(path.join(dataDir, 'store'));
  // A download idle this long has failed (the HTTP idle timeout is a minute): its file is litter.
  const removed = await store.removeStaleTemp(60 * 60 * 1000);
  if (removed > 0) options.log.info({ removed }, 'removed temp files of interrupted downloads');
  return {
    catalog: opened.catalog,
    store,
    rateLimiters: new RateLimiters(),
    log: options.log,
    dataDir,
    close: opened.close,
  };
}
