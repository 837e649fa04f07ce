const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)([smhd])$/;
const WHOLE_SECONDS = /^\d+$/;

/**
 * Node timers hold at most 2^31-1 ms (about 24.8 days) and fire at once when asked for longer, so
 * a longer interval would make the daemon sync in a tight loop rather than rarely.
 */
export const MAX_INTERVAL_MS = 24 * UNIT_MS.d;

export const DURATION_EXPECTED =
  'expected a duration such as "30s", "15m", "1h" or "1d", or a whole number of seconds, ' +
  'from 1s to 24d';

/**
 * Milliseconds for "30s", "15m", "1h", "1d" or a whole number of seconds (a YAML number, or the
 * same digits quoted); `undefined` for anything else, zero, or more than MAX_INTERVAL_MS.
 */
export function parseDuration(value: unknown): number | undefined {
  const ms = toMilliseconds(value);
  return ms !== undefined && ms > 0 && ms <= MAX_INTERVAL_MS ? ms : undefined;
}

function toMilliseconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value * UNIT_MS.s : undefined;
  if (typeof value !== 'string') return undefined;
  if (WHOLE_SECONDS.test(value)) return Number(value) * UNIT_MS.s;

  const match = DURATION.exec(value);
  if (!match) return undefined;
  const [, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS];
  return Number(amount) * UNIT_MS[unit];
}
