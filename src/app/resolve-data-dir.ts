import path from 'node:path';
import type { SyncConfig } from '../config/sync-config';
import type { AppEnvironment } from './app-environment';

/** Where data goes when neither DATA_DIR nor a config file says: `./data`, as in the config. */
const DEFAULT_DATA_DIR = 'data';

/**
 * DATA_DIR wins over the config's data_dir, the way BATCH_SIZE wins over batch_size: the
 * environment is how one deployment adjusts a shared config file. A relative DATA_DIR is taken
 * from the working directory; the config's data_dir was already resolved against its file.
 */
export function resolveDataDir(env: AppEnvironment, config?: SyncConfig): string {
  if (env.dataDir !== undefined) return path.resolve(env.dataDir);
  return config?.dataDir ?? path.resolve(DEFAULT_DATA_DIR);
}
