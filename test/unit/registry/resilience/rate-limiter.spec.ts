import { RateLimiter, RateLimiters } from '../../../../src/registry/resilience/rate-limiter';
import { FakeClock } from './fakes';

async function acquireTimes(limiter: RateLimiter, clock: FakeClock, count: number) {
  const start = clock.now();
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: count }, () =>
      limiter.acquire().then(() => times.push(clock.now() - start)),
    ),
  );
  return times;
}

describe('RateLimiter', () => {
  it('lets a burst go at once, then paces requests at the configured rate', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerSecond: 4, burst: 2 }, clock);

    const times = await acquireTimes(limiter, clock, 5);

    expect(times).toEqual([0, 0, 250, 500, 750]);
  });

  it('refills while idle, up to the burst', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerSecond: 1, burst: 2 }, clock);
    await acquireTimes(limiter, clock, 2);

    clock.time += 10_000;
    const times = await acquireTimes(limiter, clock, 3);

    expect(times).toEqual([0, 0, 1_000]);
  });

  it('without a limit, only a pause holds requests', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(undefined, clock);

    expect(await acquireTimes(limiter, clock, 3)).toEqual([0, 0, 0]);
    limiter.pauseUntil(clock.now() + 3_000);
    expect(await acquireTimes(limiter, clock, 2)).toEqual([3_000, 3_000]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new RateLimiter({ requestsPerSecond: 0 })).toThrow(RangeError);
  });
});

describe('RateLimiters', () => {
  it('hands out one limiter per origin, with per-host rates over the default', async () => {
    const clock = new FakeClock();
    const limiters = new RateLimiters({
      limit: { requestsPerSecond: 1, burst: 1 },
      perHost: { 'https://fast.test': { requestsPerSecond: 10, burst: 1 } },
      clock,
    });

    const a = limiters.for('https://slow.test/v2/a/tags/list');
    const b = limiters.for(new URL('https://slow.test/v2/b/manifests/latest'));
    const fast = limiters.for('https://fast.test/v2/');

    expect(a).toBe(b);
    expect(fast).not.toBe(a);
    expect(await acquireTimes(a, clock, 2)).toEqual([0, 1_000]);
    expect(await acquireTimes(fast, clock, 2)).toEqual([0, 100]);
  });

  it('takes a host rate set from the config, and a changed one replaces the limiter', async () => {
    const clock = new FakeClock();
    const limiters = new RateLimiters({ clock });
    limiters.setLimit('https://reg.test', { requestsPerSecond: 2, burst: 1 });
    const first = limiters.for('https://reg.test/v2/a/tags/list');

    limiters.setLimit('https://reg.test', { requestsPerSecond: 2, burst: 1 });
    const same = limiters.for('https://reg.test/v2/b/tags/list');
    limiters.setLimit('https://reg.test', { requestsPerSecond: 4, burst: 1 });
    const changed = limiters.for('https://reg.test/v2/b/tags/list');

    expect(same).toBe(first);
    expect(changed).not.toBe(first);
    expect(await acquireTimes(first, clock, 2)).toEqual([0, 500]);
    expect(await acquireTimes(changed, clock, 2)).toEqual([0, 250]);
  });
});
