/** Socket errors of a connection that broke or could not be made. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is going away or not yet back: admin_shutdown (57P01, also what
 * pg_terminate_backend sends), crash_shutdown (57P02), cannot_connect_now (57P03, starting up).
 * Class 08 (connection exception) is matched as a whole.
 */
const SERVER_GONE_CODES = new Set(['57P01', '57P02', '57P03']);

/**
 * node-postgres reports a closed socket in words, without a code: "Connection terminated
 * unexpectedly", "Client has encountered a connection error and is not queryable", and pg-pool's
 * "timeout exceeded when trying to connect".
 */
const LOST_MESSAGE =
  /connection terminated|is not queryable|timeout exceeded when trying to connect/i;

/**
 * TypeORM releases a query runner whose connection emitted an error; its next query then throws
 * this rather than the socket error. Inside the catalog nothing else releases a runner early.
 */
const RELEASED_RUNNER = 'QueryRunnerProviderAlreadyReleasedError';

/**
 * Whether `err` says the connection to the database was lost (or could not be made), as opposed
 * to the database refusing the statement. Only the first kind is worth retrying: the server
 * rolled back whatever the dead connection had not committed. Looks through TypeORM's
 * `driverError` and `cause` chains.
 */
export function isConnectionLost(err: unknown): boolean {
  let current: unknown = err;
  // Not `instanceof`: socket errors are made by Node itself, in another realm under a test VM.
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, name, message } = current as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
    };
    if (typeof code === 'string' && isLostCode(code)) return true;
    if (name === RELEASED_RUNNER) return true;
    if (typeof message === 'string' && LOST_MESSAGE.test(message)) return true;
    const next = current as { driverError?: unknown; cause?: unknown };
    current = next.driverError ?? next.cause;
  }
  return false;
}

function isLostCode(code: string): boolean {
  return NETWORK_CODES.has(code) || SERVER_GONE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code);
}

/** An error's message, also for one made in another realm (where `instanceof Error` fails). */
export function messageOf(err: unknown): string {
  const message =
    typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(err);
}
