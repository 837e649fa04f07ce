import type { Logger } from 'pino';
import type { RepositoryConfig } from '../config/sync-config';
import { lockRepository, type RepositoryLock, type WhenTaken } from '../db/repository-lock';
import { toSyncError } from '../errors';
import { syncRepository, type SyncSummary } from '../pipeline/sync-repository';
import type { AppContext } from './app-context';
import { buildRepositorySync } from './build-repository-sync';

export interface LockedSyncOptions {
  /** `sync` waits for another process that syncs the repository; the daemon skips it. */
  whenLocked: WhenTaken;
  batchSize?: number;
  /** Stops a wait for the lock, or the sync between batches. */
  signal?: AbortSignal;
  /** How often a waiting process asks for the lock again. */
  pollMs?: number;
}

/**
 * Syncs one configured repository while holding its database lock (lockRepository), so that a
 * repository is synced by one process at a time: two daemons on one database, or a `sync` run
 * beside the daemon. Resolves undefined when the repository is locked and `whenLocked` is
 * 'skip'; else with the run's summary. A database failure never rejects: it is the summary's
 * error, and is logged.
 */
export async function syncWithLock(
  app: AppContext,
  config: RepositoryConfig,
  options: LockedSyncOptions,
): Promise<SyncSummary | undefined> {
  const started = Date.now();
  const log = app.log.child({ repository: config.name });
  let lock: RepositoryLock | undefined;
  try {
    lock = await lockRepository(app.catalog, config.name, {
      whenTaken: options.whenLocked,
      log: app.log,
      signal: options.signal,
      pollMs: options.pollMs,
    });
  } catch (err) {
    return notRun(log, config.name, err, started);
  }
  if (lock === undefined) {
    log.info('another process syncs it; skipped until the next run');
    return undefined;
  }

  const signal = options.signal ? AbortSignal.any([options.signal, lock.lost]) : lock.lost;
  const sync = buildRepositorySync(config, {
    log: app.log,
    batchSize: options.batchSize,
    rateLimiters: app.rateLimiters,
  });
  try {
    const deps = {
      catalog: app.catalog,
      store: app.store,
      log: app.log,
      signal,
      beforeVersion: () => lock.held(),
    };
    const summary = await syncRepository(deps, sync);
    if (!lock.lost.aborted || summary.error) return summary;
    return { ...summary, error: toSyncError(lock.lost.reason).toJSON() };
  } catch (err) {
    // syncRepository reports failures in its summary once its SyncRun row exists; before that
    // (the database gone as the run starts) there is no row to record the failure in.
    return notRun(log, config.name, err, started);
  } finally {
    sync.close();
    await lock.release();
  }
}

/** The summary of a sync that could not start: its lock or its first rows failed. */
function notRun(log: Logger, repository: string, err: unknown, started: number): SyncSummary {
  const error = toSyncError(err, 'INTERNAL', { repository });
  const stopped = error.code === 'REPOSITORY_BUSY';
  if (stopped) log.warn({ err: error }, 'sync not started');
  else log.error({ err: error }, 'sync failed');
  return {
    repository,
    result: stopped ? 'interrupted' : 'failed',
    version: null,
    tags: 0,
    manifests: 0,
    blobs: 0,
    bytes: 0,
    requests: {},
    rowsPerSecond: 0,
    durationMs: Date.now() - started,
    signatures: 0,
    failed: [],
    skipped: [],
    error: error.toJSON(),
  };
}
