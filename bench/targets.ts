import { type RequestCounts, zeroCounts } from './access-log';
import {
  LARGE_SIZE,
  type SizeResult,
  TARGET_SIZE,
  type TargetResult,
  type Verdict,
} from './results';

/** The one-size targets, in the order the issue lists them. */
export const TARGETS = {
  coldVsSkopeo: 'cold sync <= 0.5 x skopeo',
  coldVsFloor: 'cold sync <= 2 x floor',
  wholeCatalog: 'cold sync writes the whole catalog',
  noChangeRequests: 'no-change re-sync: tag pages + 1 HEAD per tag only',
  noChangeTime: 'no-change re-sync <= 10% of cold time',
  changedRequests: '1% changed re-sync fetches only what changed',
} as const;

const verdict = (pass: boolean): Verdict => (pass ? 'PASS' : 'FAIL');
const seconds = (value: number) => `${value.toFixed(2)} s`;
const ratio = (value: number) => `${value.toFixed(2)}x`;

/** The kinds with a count, in a fixed order; an unexpected kind shows up as an extra entry. */
export function formatCounts(counts: RequestCounts): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
}

type Kind = keyof RequestCounts;

/** The kinds that move content or answer for it; `ping` and `other` are probes. */
const FETCH_KINDS: Kind[] = ['tags', 'manifestHead', 'manifestGet', 'blobHead', 'blobGet'];

function sameCounts(
  actual: RequestCounts,
  expected: RequestCounts,
  kinds = Object.keys(expected) as Kind[],
): boolean {
  return kinds.every((kind) => actual[kind] === expected[kind]);
}

/** A no-change re-sync: the tag list pages and one HEAD per tag, nothing else. */
export function expectedNoChange(result: SizeResult): RequestCounts {
  return { ...zeroCounts(), tags: result.expected.tagPages, manifestHead: result.expected.tags };
}

/** After the change: that, plus a GET of each new manifest and each new blob, nothing else. */
export function expectedChanged(result: SizeResult): RequestCounts {
  return {
    ...expectedNoChange(result),
    manifestGet: result.changed.change.newManifests,
    blobGet: result.changed.change.newBlobs,
  };
}

/** The checks that need one size only, evaluated at `result.size`. */
export function checksAt(result: SizeResult): TargetResult[] {
  const { size, cold, noChange, changed, skopeo, floor, expected } = result;
  const { content, storedBlobFiles } = cold.catalog;
  const complete =
    content.tags === expected.tags &&
    content.manifests === expected.manifests &&
    content.blobs === expected.blobs &&
    storedBlobFiles === expected.blobs;
  const noChangeCounts = expectedNoChange(result);
  const changedCounts = expectedChanged(result);
  return [
    {
      target: TARGETS.coldVsSkopeo,
      size,
      measured: `${seconds(cold.wallSeconds)} vs ${seconds(skopeo.wallSeconds)} (${ratio(result.ratios.coldOverSkopeo)})`,
      limit: '0.50x',
      verdict: verdict(result.ratios.coldOverSkopeo <= 0.5),
    },
    {
      target: TARGETS.coldVsFloor,
      size,
      measured: `${seconds(cold.wallSeconds)} vs ${seconds(floor.wallSeconds)} (${ratio(result.ratios.coldOverFloor)})`,
      limit: '2.00x',
      verdict: verdict(result.ratios.coldOverFloor <= 2),
    },
    {
      target: TARGETS.wholeCatalog,
      size,
      measured:
        `${content.tags} tags, ${content.manifests} manifests, ${content.blobs} blobs, ` +
        `${storedBlobFiles} blob files`,
      limit: `${expected.tags}, ${expected.manifests}, ${expected.blobs}, ${expected.blobs}`,
      verdict: verdict(complete),
    },
    {
      target: TARGETS.noChangeRequests,
      size,
      measured: formatCounts(noChange.requests),
      limit: formatCounts(noChangeCounts),
      verdict: verdict(sameCounts(noChange.requests, noChangeCounts)),
    },
    {
      target: TARGETS.noChangeTime,
      size,
      measured: `${seconds(noChange.wallSeconds)} (${((100 * noChange.wallSeconds) / cold.wallSeconds).toFixed(1)}%)`,
      limit: seconds(cold.wallSeconds * 0.1),
      verdict: verdict(noChange.wallSeconds <= cold.wallSeconds * 0.1),
    },
    {
      target: TARGETS.changedRequests,
      size,
      measured: formatCounts(changed.requests),
      limit: formatCounts(changedCounts),
      // Probes (GET /v2/, the referrers API) fetch nothing; they show in `measured` all the same.
      verdict: verdict(sameCounts(changed.requests, changedCounts, FETCH_KINDS)),
    },
  ];
}

/** Peak RSS of the cold sync at LARGE_SIZE within 20% of that at TARGET_SIZE. */
export function rssFlatness(results: readonly SizeResult[]): TargetResult {
  const target = `peak RSS flat: ${LARGE_SIZE} tags within 20% of ${TARGET_SIZE}`;
  const base = results.find((result) => result.size === TARGET_SIZE);
  const large = results.find((result) => result.size === LARGE_SIZE);
  if (base === undefined || large === undefined) {
    return { target, size: LARGE_SIZE, measured: 'not measured', limit: '1.20x', verdict: 'N/A' };
  }
  const growth = large.cold.peakRssKb / base.cold.peakRssKb;
  const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;
  return {
    target,
    size: LARGE_SIZE,
    measured: `${mib(large.cold.peakRssKb)} vs ${mib(base.cold.peakRssKb)} (${ratio(growth)})`,
    limit: '1.20x',
    verdict: verdict(growth <= 1.2),
  };
}

/** The targets: the one-size checks at TARGET_SIZE (N/A without it), and RSS flatness. */
export function evaluateTargets(results: readonly SizeResult[]): TargetResult[] {
  const base = results.find((result) => result.size === TARGET_SIZE);
  const atTarget =
    base === undefined
      ? Object.values(TARGETS).map((target): TargetResult => ({
          target,
          size: TARGET_SIZE,
          measured: 'not measured',
          limit: '',
          verdict: 'N/A',
        }))
      : checksAt(base);
  return [...atTarget, rssFlatness(results)];
}
