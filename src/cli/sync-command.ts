import { openAppContext } from '../app/app-context';
import { resolveDataDir } from '../app/resolve-data-dir';
import { selectRepositories } from '../app/select-repositories';
import { syncExitCode } from '../app/sync-exit-code';
import { syncRepositories } from '../app/sync-repositories';
import { loadConfig } from '../config/load-config';
import type { SyncSummary } from '../pipeline/sync-repository';
import type { CommandContext } from './command-context';

export interface SyncCommandOptions {
  config: string;
  /** Only this configured repository; every one, in file order, when absent. */
  repository?: string;
}

/**
 * `container-sync sync`: one pass over the configured repositories. The last log line carries
 * every repository's summary and the exit code, so a scheduler reading the output needs no
 * other line.
 */
export async function runSyncCommand(
  options: SyncCommandOptions,
  ctx: CommandContext,
): Promise<{ exitCode: number; summaries: SyncSummary[] }> {
  const { settings, log } = ctx;
  const config = await loadConfig(options.config, ctx.env);
  const repositories = selectRepositories(config, options.repository);
  const dataDir = resolveDataDir(settings, config);
  const names = repositories.map((repository) => repository.name);
  log.info({ config: config.file, dataDir, repositories: names }, 'config loaded');

  const app = await openAppContext({
    dataDir,
    databaseUrl: settings.databaseUrl,
    databaseRetryMs: settings.databaseRetryMs,
    log,
  });
  const stop = stopOnSignal(log);
  try {
    const summaries = await syncRepositories(app, repositories, {
      batchSize: settings.batchSize,
      signal: stop.signal,
    });
    // Stopped before every repository ran: not a success whatever the ones that ran say.
    const exitCode = stop.signal.aborted ? 1 : syncExitCode(summaries);
    log.info({ exitCode, summaries }, 'sync complete');
    return { exitCode, summaries };
  } finally {
    stop.dispose();
    await app.close();
  }
}

/**
 * SIGTERM or SIGINT stops a wait for another process's lock, or the running sync after its
 * batch, like the daemon's stop; the summaries still come out. A second one kills the process.
 */
function stopOnSignal(log: CommandContext['log']) {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping: the running batch commits, no further repository starts');
    controller.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
