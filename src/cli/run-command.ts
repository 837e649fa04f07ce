import { resolveDataDir } from '../app/resolve-data-dir';
import { runDaemon } from '../daemon/daemon';
import type { CommandContext } from './command-context';

/** `container-sync run`: the daemon, until SIGTERM or SIGINT. */
export async function runRunCommand(options: { config: string }, ctx: CommandContext) {
  await runDaemon({
    configFile: options.config,
    env: ctx.env,
    log: ctx.log,
    dataDir: (config) => resolveDataDir(ctx.settings, config),
    databaseUrl: ctx.settings.databaseUrl,
    databaseRetryMs: ctx.settings.databaseRetryMs,
    batchSize: ctx.settings.batchSize,
  });
}
