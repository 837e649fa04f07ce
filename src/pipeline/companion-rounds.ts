import {
  concat,
  defer,
  filter,
  from,
  ignoreElements,
  mergeMap,
  type MonoTypeOperatorFunction,
  type Observable,
} from 'rxjs';
import { companionSubject } from './companion-tags';
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
    mergeMap((refs) => {
      if (refs.length === 0) return defer(() => skipOrphans(ctx)).pipe(ignoreElements());
      for (const ref of refs) ctx.companionRefs.add(ref);
      return concat(
        from(refs).pipe(tagsToContent(ctx)),
        defer(() => companionRounds(ctx)),
      );
    }),
  );
}

/**
 * Under signed_only a companion tag the filter kept waits for the rounds: it is synced when the
 * manifest it belongs to was, and skipped with it otherwise. Other companions go on as tags.
 */
export function deferCompanions(ctx: SyncContext): MonoTypeOperatorFunction<string> {
  return filter((tag) => {
    if (!ctx.signatures?.options.signedOnly || !companionSubject(tag)) return true;
    ctx.deferredCompanions.add(tag);
    return false;
  });
}

/** Deferred companions no round took up: their manifest was not synced, so neither are they. */
async function skipOrphans(ctx: SyncContext): Promise<void> {
  for (const tag of [...ctx.deferredCompanions].sort()) {
    if (ctx.processedRefs.has(tag)) continue;
    const head = await ctx.upstream.headManifest(tag);
    const reason = `belongs to ${companionSubject(tag)}, which was not synced`;
    ctx.skipped.push({ reference: tag, digest: head?.digest, reason });
    ctx.log.warn({ reference: tag, reason }, 'skipped: signed_only');
  }
}

async function nextCompanions(ctx: SyncContext): Promise<string[]> {
  const fetched = [...ctx.fetched];
  const known = await ctx.catalog.reachableDigests([...ctx.knownRoots]);
  const refs = new Set<string>();
  for (const digest of new Set([...fetched, ...known])) {
    const { algorithm, hex } = parseDigest(digest);
    const base = `${algorithm}-${hex}`;
    for (const tag of [base, ...COSIGN_SUFFIXES.map((suffix) => `${base}${suffix}`)]) {
      if (ctx.allTags.has(tag)) refs.add(tag);
    }
  }
  for (const digest of fetched) {
    if (ctx.referrersChecked.has(digest) || !ctx.upstream.referrers) continue;
    ctx.referrersChecked.add(digest);
    const referrers = await ctx.upstream.referrers(digest as Digest);
    for (const referrer of referrers ?? []) {
      if (!ctx.fetched.has(referrer)) refs.add(referrer);
    }
  }
  return [...refs].filter((ref) => !ctx.processedRefs.has(ref)).sort();
}
