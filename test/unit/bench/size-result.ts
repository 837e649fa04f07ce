import { type RequestCounts, zeroCounts } from '../../../bench/access-log';
import type { PeerName, PeerRun, Phase } from '../../../bench/peer-run';
import type { CatalogRun, SizeResult } from '../../../bench/results';

/** A measured run with the given wall time and requests; the rest plausible and fixed. */
export function peerRun(
  peer: PeerName,
  phase: Phase,
  wallSeconds: number,
  requests: Partial<RequestCounts> = {},
): PeerRun {
  return {
    peer,
    phase,
    wallSeconds,
    peakRssKb: 100 * 1024,
    cpuSeconds: wallSeconds / 2,
    registryCpuSeconds: wallSeconds / 4,
    exitCode: 0,
    requests: { ...zeroCounts(), ...requests },
    errorResponses: 0,
    probes: [],
  };
}

function catalogRun(run: PeerRun, content = { tags: 0, manifests: 0, blobs: 0 }): CatalogRun {
  return {
    ...run,
    summary: {
      result: 'success',
      version: 1,
      ...content,
      bytes: 0,
      rowsPerSecond: 50,
      durationMs: run.wallSeconds * 1000 - 500,
      requests: {},
    },
    catalog: { content, storedBlobFiles: content.blobs, rows: {} },
    rowsWritten: 1000,
    rowsPerSecond: Math.round(1000 / run.wallSeconds),
  };
}

/**
 * A size's result as a sync that meets every target would give it: `size` tags of an index
 * over three images with config, base, shared and own layers; 1% changed.
 */
export function passingResult(size: number, coldRssKb = 150 * 1024): SizeResult {
  const manifests = size * 4;
  const blobs = size * 6 + 4;
  const changedTags = Math.max(1, Math.round(size / 100));
  const content = { tags: size, manifests, blobs };
  const heads = { tags: 1, manifestHead: size };
  const cold = catalogRun(
    peerRun('container-sync', 'cold', 20, {
      tags: 1,
      manifestHead: size,
      manifestGet: manifests,
      blobGet: blobs,
    }),
    content,
  );
  cold.peakRssKb = coldRssKb;
  return {
    size,
    expected: { ...content, tagPages: 1 },
    fill: { source: 'cache', seconds: 1 },
    floor: { ...peerRun('floor', 'cold', 12), fetched: { tags: size, manifests, blobs, bytes: 1 } },
    skopeo: { ...peerRun('skopeo', 'cold', 50), images: size },
    cold,
    noChange: catalogRun(peerRun('container-sync', 'no-change', 1.5, heads), content),
    changed: {
      ...catalogRun(
        peerRun('container-sync', 'changed', 2, {
          ...heads,
          ping: 1,
          other: 1,
          manifestGet: changedTags * 4,
          blobGet: changedTags * 6,
        }),
        content,
      ),
      change: { tags: ['t0051'], newManifests: changedTags * 4, newBlobs: changedTags * 6 },
    },
    ratios: {
      coldOverSkopeo: 0.4,
      coldOverFloor: 20 / 12,
      coldCpuOverSkopeo: 0.4,
      coldCpuOverFloor: 20 / 12,
    },
    stages: {},
  };
}
