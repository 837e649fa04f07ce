/**
 * Exponential backoff with full jitter: a uniformly random wait between zero and the doubled
 * base, capped. Randomizing the whole interval spreads the retries of many clients that failed
 * together, so they do not hit a recovering registry in step.
 */
export function backoffDelay(
  retry: number,
  options: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
