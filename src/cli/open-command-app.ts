import { existsSync } from 'node:fs';
import { openAppContext, type AppContext } from '../app/app-context';
import { resolveDataDir } from '../app/resolve-data-dir';
import { loadConfig } from '../config/load-config';
import type { SyncConfig } from '../config/sync-config';
import { embeddedDataDir } from '../db/data-source';
import { SyncError } from '../errors';
import type { CommandContext } from './command-context';

/**
 * For commands whose config is optional: the config when a file is named (for its data_dir and
 * repositories), and the app context over the data directory that gives. `existing` refuses
 * to create an embedded catalog that is not there yet.
 */
export async function openCommandApp(
  configFile: string | undefined,
  ctx: CommandContext,
  options: { migrate: boolean; existing?: boolean },
): Promise<{ config?: SyncConfig; app: AppContext }> {
  const { settings, log } = ctx;
  const config = configFile === undefined ? undefined : await loadConfig(configFile, ctx.env);
  const dataDir = resolveDataDir(settings, config);
  const { databaseUrl, databaseRetryMs } = settings;
  if (options.existing && !databaseUrl) assertEmbeddedCatalog(dataDir);
  const app = await openAppContext({
    dataDir,
    databaseUrl,
    databaseRetryMs,
    log,
    migrate: options.migrate,
  });
  return { ...(config ? { config } : {}), app };
}

/**
 * Opening PGlite creates its directory, so a read-only command pointed at the wrong place would
 * leave an empty catalog behind and report nothing.
 */
function assertEmbeddedCatalog(dataDir: string): void {
  if (existsSync(embeddedDataDir({ dataDir }))) return;
  const hint = 'run sync or migrate first, or point DATA_DIR or --config at the data directory';
  throw new SyncError('NOT_FOUND', `no catalog in ${dataDir}: ${hint}`, { path: dataDir });
}
