import { retryConnectionLoss } from '../../../src/db/connection-retry';
import { SyncError } from '../../../src/errors';
import type { Clock } from '../../../src/registry/resilience/clock';

/** A clock that only moves when the code under test sleeps. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const POLICY = { windowMs: 10_000, baseMs: 250, maxMs: 5_000 };
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

describe('retryConnectionLoss', () => {
  it('runs the work again after a lost connection, with growing waits, until it succeeds', async () => {
    const clock = fakeClock();
    const retries: Array<[number, number]> = [];
    let calls = 0;
    const work = async () => {
      calls += 1;
      if (calls < 4) throw reset();
      return 'saved';
    };

    const result = await retryConnectionLoss(
      work,
      POLICY,
      (_err, attempt, waitMs) => retries.push([attempt, waitMs]),
      clock,
    );

    expect(result).toBe('saved');
    expect(calls).toBe(4);
    expect(retries.map(([attempt]) => attempt)).toEqual([2, 3, 4]);
    // Full jitter under a ceiling that doubles: 250, 500, 1000.
    clock.sleeps.forEach((ms, i) => expect(ms).toBeLessThan(250 * 2 ** i));
    expect(retries.map(([, ms]) => ms)).toEqual(clock.sleeps);
  });

  it('gives up with a DATABASE_ERROR once the next wait would pass the window', async () => {
    const clock = fakeClock();
    let calls = 0;
    const work = async () => {
      calls += 1;
      throw reset();
    };

    const failing = retryConnectionLoss(work, POLICY, undefined, clock);

    await expect(failing).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: expect.stringMatching(
        /^database connection lost: read ECONNRESET \(\d+ attempts over \d+\.\ds\)$/,
      ),
    });
    const error = (await failing.catch((err: unknown) => err)) as SyncError;
    expect(error.message).toContain(`(${calls} attempts over`);
    expect(clock.now()).toBeLessThanOrEqual(POLICY.windowMs);
    expect(calls).toBeGreaterThan(3);
  });

  it('never retries with a zero window', async () => {
    const clock = fakeClock();
    let calls = 0;

    const failing = retryConnectionLoss(
      async () => {
        calls += 1;
        throw reset();
      },
      { ...POLICY, windowMs: 0 },
      undefined,
      clock,
    );

    await expect(failing).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: 'database connection lost: read ECONNRESET (1 attempts over 0.0s)',
    });
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it.each([
    [
      'a statement the database refused',
      Object.assign(new Error('duplicate key'), { code: '23505' }),
    ],
    [
      'a SyncError, even one caused by a lost connection',
      new SyncError('DATABASE_ERROR', 'lost during COMMIT', {}, { cause: reset() }),
    ],
  ])('does not retry %s', async (_case, err) => {
    const clock = fakeClock();
    let calls = 0;

    const failing = retryConnectionLoss(
      async () => {
        calls += 1;
        throw err;
      },
      POLICY,
      undefined,
      clock,
    );

    await expect(failing).rejects.toBe(err);
    expect(calls).toBe(1);
  });
});
