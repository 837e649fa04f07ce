import type { Logger } from 'pino';
import { toSyncError } from '../errors';
import type { Printer } from './printer';

/**
 * The top of every command: whatever was thrown becomes a SyncError, logged under `err` for
 * whoever collects the logs and printed as its plain message for whoever typed the command.
 * Returns the exit code.
 */
export function reportFailure(err: unknown, log: Logger, stderr: Printer): number {
  const error = toSyncError(err);
  log.error({ err: error }, 'command failed');
  stderr.line(`container-sync: ${error.message.split('\n').join('\ncontainer-sync: ')}`);
  return 1;
}
