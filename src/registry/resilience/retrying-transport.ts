import pino, { type Logger } from 'pino';
import { SyncError } from '../../errors';
import { discard, type HttpRequest, type HttpResponse, type Transport } from '../http-types';
import { safeUrl } from '../safe-url';
import { backoffDelay } from './backoff';
import { type Clock, systemClock } from './clock';
import { RateLimiters } from './rate-limiter';
import { quotaResetMs, retryAfterMs } from './retry-after';

export interface RetryOptions {
  /** Tries of one request, the first included. */
  maxAttempts?: number;
  /** The backoff ceiling of the first retry; it doubles with each further retry. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** No retry starts once this much time has gone since the first try. */
  maxElapsedMs?: number;
  /** A 429 asking for a longer wait than this is answered as it is, without waiting. */
  maxRetryAfterMs?: number;
  /** How long a host that says `RateLimit-Remaining: 0` without a `RateLimit-Reset` is left. */
  quotaPauseMs?: number;
}

export interface RetryingTransportOptions extends RetryOptions {
  logger?: Logger;
  clock?: Clock;
  /** In [0, 1); the jitter source, fixed in tests. */
  random?: () => number;
  /** Shared per-host limits; without them, quota pauses are kept for this transport alone. */
  rateLimiters?: RateLimiters;
}

const DEFAULTS: Required<RetryOptions> = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxElapsedMs: 120_000,
  maxRetryAfterMs: 60_000,
  quotaPauseMs: 1_000,
};

type Outcome = { response: HttpResponse; error?: never } | { error: unknown; response?: never };

/**
 * Retries what a registry or the network may get over on its own: unreachable hosts and
 * timeouts, 5xx answers, and 429 after the wait the registry names. Every other answer, 4xx
 * included, goes back to the caller at once; 401 challenges are the HTTP client's. The methods
 * sent here are GET and HEAD only, so repeating a request is always safe.
 *
 * Only the response head is covered: a body that fails while it is read belongs to its reader
 * (blobs resume through `resumableBlob`; manifests and tag pages are small and fail the item).
 */
export class RetryingTransport implements Transport {
  readonly #inner: Transport;
  readonly #options: Required<RetryOptions>;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #limiters: RateLimiters;
  readonly #log: Logger;

  constructor(inner: Transport, options: RetryingTransportOptions = {}) {
    this.#inner = inner;
    this.#options = pickRetryOptions(options);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#limiters = options.rateLimiters ?? new RateLimiters({ clock: this.#clock });
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'retrying-transport',
    });
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const limiter = this.#limiters.for(request.url);
    const started = this.#clock.now();

    for (let attempt = 1; ; attempt++) {
      await limiter.acquire();
      const outcome = await this.#attempt(request);

      // A spent quota holds back every request to the host, not only a retry of this one.
      if (outcome.response) {
        const pause = quotaResetMs(outcome.response.headers, this.#options.quotaPauseMs);
        if (pause !== undefined) limiter.pauseUntil(this.#clock.now() + pause);
      }

      const delay = this.#retryDelay(outcome, attempt);
      const late =
        delay !== undefined && this.#clock.now() + delay - started > this.#options.maxElapsedMs;
      if (delay === undefined || attempt >= this.#options.maxAttempts || late) {
        if (outcome.response) return outcome.response;
        throw outcome.error;
      }

      if (outcome.response) discard(outcome.response);
      this.#log.warn(
        {
          method: request.method,
          url: safeUrl(request.url),
          status: outcome.response?.status,
          attempt,
          delayMs: delay,
          err: outcome.error,
        },
        'retrying registry request',
      );
      await this.#clock.sleep(delay);
    }
  }

  async #attempt(request: HttpRequest): Promise<Outcome> {
    try {
      return { response: await this.#inner.send(request) };
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      return { error };
    }
  }

  /** The wait before the next try, or `undefined` when this outcome is final. */
  #retryDelay(outcome: Outcome, attempt: number): number | undefined {
    const backoff = backoffDelay(attempt - 1, this.#backoff(), this.#random);
    if (!outcome.response) return backoff;

    const { status, headers } = outcome.response;
    // 501 says the registry lacks the feature; asking again changes nothing.
    const retryable = status === 429 || (status >= 500 && status !== 501);
    if (!retryable) return undefined;

    const asked = retryAfterMs(headers['retry-after'], this.#clock.now());
    if (asked === undefined) return backoff;
    return asked <= this.#options.maxRetryAfterMs ? asked : undefined;
  }

  #backoff() {
    return { baseMs: this.#options.baseDelayMs, maxMs: this.#options.maxDelayMs };
  }
}

/**
 * The HTTP client reports refused connections, resets and timeouts as REGISTRY_UNREACHABLE;
 * certificate failures come as TLS_FAILED and are not retried.
 */
function isUnreachable(error: unknown): boolean {
  return error instanceof SyncError && error.code === 'REGISTRY_UNREACHABLE';
}

/** The retry settings given, defaults for the rest. */
function pickRetryOptions(options: RetryOptions): Required<RetryOptions> {
  const picked = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as Array<keyof RetryOptions>) {
    const value = options[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}
