import { generateRepository } from '../test/harness/image-generator';
import { pushGenerated } from '../test/harness/push';
import { BENCH_PLATFORMS, BENCH_SEED, type RepositoryContent } from './bench-repository';

/** Bytes added to a changed tag's own layer: any other value than the fill's 0 changes it. */
const CHANGED_LAYER_BYTES = 64;

/** The share of tags the second re-sync finds changed. */
export const CHANGED_SHARE = 0.01;

export interface TagChange {
  tags: string[];
  /** What a sync that fetches only what changed must GET: manifests and blobs not seen before. */
  newManifests: number;
  newBlobs: number;
}

/** `count` of `tags` spread evenly over the sorted list, so no one region of it is favoured. */
export function pickSpread(tags: readonly string[], count: number): string[] {
  const sorted = [...tags].sort();
  return Array.from(
    { length: count },
    (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / count)] as string,
  );
}

/** 1% of `total`, at least one. */
export function changedCount(total: number): number {
  return Math.max(1, Math.round(total * CHANGED_SHARE));
}

/**
 * Changes 1% of the tags upstream the way a rebuild would: each gets a new unique layer, so its
 * configs, platform manifests and index are new, while the base and shared layers stay. The
 * expected fetches are derived from the digests, not assumed.
 */
export async function changeTags(
  registryUrl: string,
  repository: string,
  content: RepositoryContent,
): Promise<TagChange> {
  const names = Object.keys(content.tags);
  const tags = pickSpread(names, changedCount(names.length));
  const changed = await generateRepository({
    tags,
    platforms: BENCH_PLATFORMS,
    seed: BENCH_SEED,
    uniqueLayerBytes: CHANGED_LAYER_BYTES,
  });
  await pushGenerated(registryUrl, repository, changed);

  const knownManifests = new Set(content.manifests);
  const knownBlobs = new Set(content.blobs);
  return {
    tags,
    newManifests: [...changed.manifests.keys()].filter((d) => !knownManifests.has(d)).length,
    newBlobs: [...changed.blobs.keys()].filter((d) => !knownBlobs.has(d)).length,
  };
}
