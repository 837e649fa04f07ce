/**
 * The wait a `Retry-After` header asks for (RFC 9110 section 10.2.3): delay-seconds or an
 * HTTP-date. `undefined` when the header is missing or neither form.
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;

  // Every HTTP-date form names its month; Date.parse alone would take '-5' or '1.5' as dates.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * When a host said its request quota is spent (`RateLimit-Remaining: 0`, from the IETF
 * RateLimit header fields draft), the time to wait: `RateLimit-Reset` seconds when given, else
 * the fallback. `undefined` while requests remain.
 */
export function quotaResetMs(
  headers: Readonly<Record<string, string | undefined>>,
  fallbackMs: number,
): number | undefined {
  const remaining = headers['ratelimit-remaining']?.trim();
  if (remaining === undefined || !/^0+$/.test(remaining)) return undefined;

  const reset = headers['ratelimit-reset']?.trim();
  return reset !== undefined && /^\d+$/.test(reset) ? Number(reset) * 1000 : fallbackMs;
}
