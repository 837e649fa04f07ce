import { CountingProxy } from '../proxy';

/**
 * How many blob GETs the proxy saw for each of `digests`, keyed by digest (0 for those never
 * asked for): what a test needs to say that skipped content was never downloaded.
 */
export function blobGetsOf(
  proxy: CountingProxy,
  digests: Iterable<string>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const digest of digests) counts[digest] = 0;
  for (const { kind, path } of proxy.requests) {
    if (kind !== 'blobGet') continue;
    const digest = path.slice(path.lastIndexOf('/') + 1);
    if (digest in counts) counts[digest] = (counts[digest] ?? 0) + 1;
  }
  return counts;
}
