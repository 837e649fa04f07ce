import type { Logger } from 'pino';
import type { AppEnvironment } from '../app/app-environment';
import type { Environment } from '../config/load-context';

/** What every command is handed by the entry point; commands never read process.env. */
export interface CommandContext {
  /** The whole environment: a config names variables that hold credentials. */
  env: Environment;
  /** The variables the program itself reads, checked. */
  settings: AppEnvironment;
  log: Logger;
}
