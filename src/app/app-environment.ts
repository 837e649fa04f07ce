import { DURATION_EXPECTED, parseDuration } from '../config/duration';
import type { Environment } from '../config/load-context';
import { SyncError } from '../errors';

/**
 * The environment variables the program reads (.env.example lists them with their defaults).
 * Read once at the entry point and passed down, so nothing below it looks at process.env.
 */
export interface AppEnvironment {
  /** Unset means the embedded PGlite under the data directory. */
  databaseUrl?: string;
  /** Overrides the config's data_dir when set. */
  dataDir?: string;
  /** Overrides every repository's batch_size when set. */
  batchSize?: number;
  /** How long a lost database connection is retried before the run fails; 0 never retries. */
  databaseRetryMs?: number;
  logLevel: string;
}

export function readAppEnvironment(env: Environment): AppEnvironment {
  const batchSize = positiveInteger(env, 'BATCH_SIZE');
  const databaseRetryMs = duration(env, 'DATABASE_RETRY_WINDOW');
  return {
    // An empty value counts as unset, the way shells and .env files leave a blank variable.
    ...(env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : {}),
    ...(env['DATA_DIR'] ? { dataDir: env['DATA_DIR'] } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(databaseRetryMs !== undefined ? { databaseRetryMs } : {}),
    logLevel: logLevel(env),
  };
}

/** pino throws on an unknown level; checked here so the message names the variable. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(env: Environment): string {
  const value = env['LOG_LEVEL'] || 'info';
  if (LOG_LEVELS.includes(value)) return value;
  const expected = `expected one of ${LOG_LEVELS.join(', ')}`;
  const message = `LOG_LEVEL: ${expected}, got ${JSON.stringify(value)}`;
  throw new SyncError('CONFIG_INVALID', message, { path: 'LOG_LEVEL' });
}

function positiveInteger(env: Environment, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (/^\d+$/.test(value) && Number.isSafeInteger(number) && number >= 1) return number;
  const message = `${name}: expected a whole number of at least 1, got ${JSON.stringify(value)}`;
  throw new SyncError('CONFIG_INVALID', message, { path: name });
}

/** A duration as the config writes one ("30s", "2m"), or 0 (also "0s") for none. */
function duration(env: Environment, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (value === '0' || value === '0s') return 0;
  const ms = parseDuration(value);
  if (ms !== undefined) return ms;
  const message = `${name}: ${DURATION_EXPECTED}, or 0; got ${JSON.stringify(value)}`;
  throw new SyncError('CONFIG_INVALID', message, { path: name });
}
