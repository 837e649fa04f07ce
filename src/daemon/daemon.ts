import type { Logger } from 'pino';
import { openAppContext } from '../app/app-context';
import { syncWithLock } from '../app/sync-with-lock';
import { loadConfig } from '../config/load-config';
import type { Environment } from '../config/load-context';
import type { SyncConfig } from '../config/sync-config';
import { toSyncError } from '../errors';
import { Scheduler } from './scheduler';

export interface DaemonOptions {
  configFile: string;
  env: Environment;
  log: Logger;
  dataDir(config: SyncConfig): string;
  databaseUrl?: string;
  databaseRetryMs?: number;
  batchSize?: number;
  /** Repositories syncing at once; one repository never twice at once. */
  maxConcurrent?: number;
}

/**
 * `container-sync run`: syncs every repository at its interval until SIGTERM or SIGINT. SIGHUP
 * re-reads the config; an invalid one is refused with its reason logged and the old one kept.
 * On stop no new sync starts, running ones end after their current batch commits, and the
 * promise resolves (the caller exits 0).
 */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const { log } = options;
  let config = await loadConfig(options.configFile, options.env);
  const app = await openAppContext({
    dataDir: options.dataDir(config),
    databaseUrl: options.databaseUrl,
    databaseRetryMs: options.databaseRetryMs,
    log,
  });

  // A repository another process is syncing (a second daemon on the same database) is skipped
  // until its next interval: waiting would hold one of the scheduler's slots for nothing.
  const scheduler = new Scheduler(
    (repository, signal) =>
      syncWithLock(app, repository, { whenLocked: 'skip', batchSize: options.batchSize, signal }),
    log,
    options.maxConcurrent ?? 2,
  );

  const reload = () => {
    loadConfig(options.configFile, options.env).then(
      (next) => {
        if (options.dataDir(next) !== options.dataDir(config)) {
          log.warn({ config: next.file }, 'data_dir changed; it takes effect on restart');
        }
        config = next;
        scheduler.setRepositories(next.repositories);
        log.info({ repositories: next.repositories.map((r) => r.name) }, 'config reloaded');
      },
      (err: unknown) => {
        log.error(
          { err: toSyncError(err, 'CONFIG_INVALID') },
          'config reload refused; kept the old one',
        );
      },
    );
  };

  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  process.on('SIGHUP', reload);

  scheduler.setRepositories(config.repositories);
  log.info({ repositories: config.repositories.map((r) => r.name) }, 'daemon started');
  const signal = await stopped;
  log.info({ signal }, 'stopping: no new syncs, running ones end after their batch');
  process.off('SIGHUP', reload);
  await scheduler.stop();
  await app.close();
  log.info('daemon stopped');
}
