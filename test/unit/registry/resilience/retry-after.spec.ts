import { backoffDelay } from '../../../../src/registry/resilience/backoff';
import { quotaResetMs, retryAfterMs } from '../../../../src/registry/resilience/retry-after';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('retryAfterMs', () => {
  it.each([
    ['3', 3_000],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    [undefined, undefined],
  ])('reads %p as %p ms', (value, expected) => {
    expect(retryAfterMs(value, NOW)).toBe(expected);
  });
});

describe('quotaResetMs', () => {
  it('is undefined while requests remain', () => {
    expect(quotaResetMs({ 'ratelimit-remaining': '3', 'ratelimit-reset': '9' }, 1_000)).toBe(
      undefined,
    );
    expect(quotaResetMs({}, 1_000)).toBe(undefined);
  });

  it('waits RateLimit-Reset seconds, or the fallback without one', () => {
    expect(quotaResetMs({ 'ratelimit-remaining': '0', 'ratelimit-reset': '9' }, 1_000)).toBe(9_000);
    expect(quotaResetMs({ 'ratelimit-remaining': '0' }, 1_000)).toBe(1_000);
  });
});

describe('backoffDelay', () => {
  it('draws from zero up to a doubling, capped ceiling', () => {
    const options = { baseMs: 100, maxMs: 1_000 };

    expect([0, 1, 2, 3, 4].map((retry) => backoffDelay(retry, options, () => 0.5))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
  });
});
