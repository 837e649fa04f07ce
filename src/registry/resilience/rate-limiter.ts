import { type Clock, systemClock } from './clock';

export interface RateLimit {
  /** Sustained requests per second to one registry host. */
  requestsPerSecond: number;
  /** Requests that may go at once after a quiet spell; defaults to one second's worth. */
  burst?: number;
}

/**
 * A token bucket for one host, plus a pause the host itself can ask for (a spent quota).
 * Callers are served in arrival order: each waits for the one before it, so a burst of
 * concurrent requests leaves at the configured pace instead of all at once.
 */
export class RateLimiter {
  readonly #limit?: Required<RateLimit>;
  readonly #clock: Clock;
  #tokens: number;
  #refilledAt: number;
  #pausedUntil = 0;
  #tail: Promise<void> = Promise.resolve();

  constructor(limit: RateLimit | undefined, clock: Clock = systemClock) {
    if (limit && !(limit.requestsPerSecond > 0)) {
      throw new RangeError(`requestsPerSecond must be positive: ${limit.requestsPerSecond}`);
    }
    this.#limit = limit && {
      requestsPerSecond: limit.requestsPerSecond,
      burst: Math.max(1, limit.burst ?? Math.ceil(limit.requestsPerSecond)),
    };
    this.#clock = clock;
    this.#tokens = this.#limit?.burst ?? 0;
    this.#refilledAt = clock.now();
  }

  /** Resolves when one more request may go to this host. */
  acquire(): Promise<void> {
    const turn = this.#tail.then(() => this.#take());
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  /** Holds every request to this host until `time` (a later pause wins over an earlier one). */
  pauseUntil(time: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, time);
  }

  async #take(): Promise<void> {
    const paused = this.#pausedUntil - this.#clock.now();
    if (paused > 0) await this.#clock.sleep(paused);
    if (!this.#limit) return;

    this.#refill();
    if (this.#tokens < 1) {
      await this.#clock.sleep(((1 - this.#tokens) / this.#limit.requestsPerSecond) * 1000);
      this.#refill();
    }
    this.#tokens -= 1;
  }

  #refill(): void {
    const limit = this.#limit!;
    const now = this.#clock.now();
    const earned = ((now - this.#refilledAt) / 1000) * limit.requestsPerSecond;
    this.#tokens = Math.min(limit.burst, this.#tokens + earned);
    this.#refilledAt = now;
  }
}

export interface RateLimitersOptions {
  /** The rate for every host without an entry in `perHost`; unlimited when absent. */
  limit?: RateLimit;
  /** Rates by origin (`https://registry.example:5000`). */
  perHost?: Readonly<Record<string, RateLimit>>;
  clock?: Clock;
}

/**
 * One limiter per registry origin. The app makes one of these and hands it to every client, so
 * all repositories synced from one host share that host's budget.
 */
export class RateLimiters {
  readonly #options: RateLimitersOptions;
  readonly #byOrigin = new Map<string, RateLimiter>();
  readonly #limits = new Map<string, RateLimit>();

  constructor(options: RateLimitersOptions = {}) {
    this.#options = options;
  }

  /**
   * Sets one host's rate (from the config's registry entry). A changed rate replaces the host's
   * limiter, so a reloaded config takes effect from the next request.
   */
  setLimit(url: URL | string, limit: RateLimit | undefined): void {
    const origin = new URL(url).origin;
    const current = this.#limits.get(origin);
    if (
      current?.requestsPerSecond === limit?.requestsPerSecond &&
      current?.burst === limit?.burst
    ) {
      return;
    }
    if (limit) this.#limits.set(origin, limit);
    else this.#limits.delete(origin);
    this.#byOrigin.delete(origin);
  }

  for(url: URL | string): RateLimiter {
    const origin = new URL(url).origin;
    let limiter = this.#byOrigin.get(origin);
    if (!limiter) {
      const limit =
        this.#limits.get(origin) ?? this.#options.perHost?.[origin] ?? this.#options.limit;
      limiter = new RateLimiter(limit, this.#options.clock);
      this.#byOrigin.set(origin, limiter);
    }
    return limiter;
  }
}
