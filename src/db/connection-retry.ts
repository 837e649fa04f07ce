import { SyncError } from '../errors';
import { backoffDelay } from '../registry/resilience/backoff';
import { type Clock, systemClock } from '../registry/resilience/clock';
import { isConnectionLost, messageOf } from './connection-lost';

export interface ConnectionRetry {
  /** How long a lost connection is tried again before the work fails; 0 never retries. */
  windowMs: number;
  /** Backoff with full jitter between attempts (see backoffDelay). */
  baseMs: number;
  maxMs: number;
}

/**
 * Long enough to ride out a server restart or a failover, short enough that a stop request
 * (SIGTERM) during an outage is not held up for long.
 */
export const DEFAULT_CONNECTION_RETRY: ConnectionRetry = {
  windowMs: 30_000,
  baseMs: 250,
  maxMs: 5_000,
};

/** Told of each retry before its wait: what failed, which attempt comes next, and when. */
export type OnRetry = (err: unknown, attempt: number, waitMs: number) => void;

/**
 * Runs `work`, and again while it fails with a lost connection, until the window is spent.
 * `work` must be safe to run twice: it is, when a failed attempt left nothing behind (the server
 * rolls back what a dead connection did not commit). A SyncError is final and never retried;
 * a lost connection that outlasts the window becomes a DATABASE_ERROR that says so.
 */
export async function retryConnectionLoss<T>(
  work: () => Promise<T>,
  policy: ConnectionRetry,
  onRetry?: OnRetry,
  clock: Clock = systemClock,
): Promise<T> {
  const started = clock.now();
  for (let retry = 0; ; retry += 1) {
    try {
      return await work();
    } catch (err) {
      if (err instanceof SyncError || !isConnectionLost(err)) throw err;
      const waitMs = backoffDelay(retry, policy);
      const elapsed = clock.now() - started;
      if (elapsed + waitMs > policy.windowMs) throw connectionLost(err, retry + 1, elapsed);
      onRetry?.(err, retry + 2, waitMs);
      await clock.sleep(waitMs);
    }
  }
}

function connectionLost(err: unknown, attempts: number, elapsedMs: number): SyncError {
  const reason = messageOf(err);
  const seconds = (elapsedMs / 1000).toFixed(1);
  return new SyncError(
    'DATABASE_ERROR',
    `database connection lost: ${reason} (${attempts} attempts over ${seconds}s)`,
    {},
    { cause: err },
  );
}
