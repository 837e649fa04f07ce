import { concat, defer, EMPTY, from, mergeMap, type Observable } from 'rxjs';
import { type Digest, parseDigest } from '../content/digest';
import type { AnyDc } from './declarative-content';
import type { SyncContext } from './sync-context';
import { tagsToContent } from './tags-to-content';

/** Cosign keeps signatures, attestations and SBOMs of `sha256:<hex>` under these tags. */
const COSIGN_SUFFIXES = ['.sig', '.att', '.sbom'];

/**
 * After the tags the filter kept: what belongs with the manifests synced, whatever the filter
 * says. Cosign companion tags, and referrers (the registry's referrers API for manifests fetched
 * this run, else the fallback tag `sha256-<hex>`). Each round takes up only references no round
 * took before, and what it syncs may have companions of its own, so rounds go on until one
 * finds nothing new: referrer loops end there.
 */
export function companionRounds(ctx: SyncContext): Observable<AnyDc> {
  return defer(() => nextCompanions(ctx)).pipe(
    mergeMap((refs) =>
      refs.length === 0
        ? EMPTY
        : concat(from(refs).pipe(tagsToContent(ctx)), defer(() => companionRounds(ctx))),
    ),
  );
}

async function nextCompanions(ctx: SyncContext): Promise<string[]> {
  const fetched = [...ctx.manifests.keys()];
  const known = await ctx.catalog.reachableDigests([...ctx.knownRoots]);
  const refs = new Set<string>();
  for (const digest of new Set([...fetched, ...known])) {
    const { algorithm, hex } = parseDigest(digest);
    for (const tag of [`${algorithm}-${hex}`, ...COSIGN_SUFFIXES.map((s) => `${algorithm}-${hex}${s}`)]) {
      if (ctx.allTags.has(tag)) refs.add(tag);
    }
  }
  for (const digest of fetched) {
    if (ctx.referrersChecked.has(digest) || !ctx.upstream.referrers) continue;
    ctx.referrersChecked.add(digest);
    const referrers = await ctx.upstream.referrers(digest as Digest);
    for (const referrer of referrers ?? []) {
      if (!ctx.manifests.has(referrer)) refs.add(referrer);
    }
  }
  return [...refs].filter((ref) => !ctx.processedRefs.has(ref)).sort();
}
