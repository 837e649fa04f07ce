import { defer, EMPTY, mergeMap, type Observable } from 'rxjs';
import type { ParsedManifest } from '../content/manifest-types';
import { type AnyDc, isManifestDc, type ManifestRef } from './declarative-content';
import type { SyncContext } from './sync-context';

/**
 * signed_only: decides before any DC of the manifest is put, so nothing of a skipped manifest is
 * downloaded or saved. An image needs a signature of its own; a list needs one for every child
 * (its own is optional). Companions (cosign tags, referrers) follow the manifest they belong to:
 * the companion rounds only take them up for manifests that were synced.
 */
export function unlessUnsigned(
  ctx: SyncContext,
  reference: string,
  manifest: ParsedManifest | ManifestRef,
  sync: () => Observable<AnyDc>,
): Observable<AnyDc> {
  const checker = ctx.signatures;
  if (!checker?.options.signedOnly || ctx.companionRefs.has(reference)) return sync();
  return defer(async () => {
    const { digest, children } = await signedParts(ctx, manifest);
    for (const child of children ?? [digest]) {
      const missing = await checker.missingReason(child);
      if (missing) return { digest, reason: children ? `child ${missing}` : missing };
    }
    return { digest, reason: undefined };
  }).pipe(
    mergeMap(({ digest, reason }) => {
      if (!reason) return sync();
      ctx.skipped.push({ reference, digest, reason });
      ctx.log.warn({ reference, digest, reason }, 'skipped: signed_only');
      return EMPTY;
    }),
  );
}

/** The digest that must be signed, or for a list the digests of its children. */
async function signedParts(ctx: SyncContext, manifest: ParsedManifest | ManifestRef) {
  if ('bytes' in manifest) {
    const children =
      manifest.kind === 'index' ? manifest.manifests.map((d) => d.digest) : undefined;
    return { digest: manifest.digest, children };
  }
  if (isManifestDc(manifest)) return signedParts(ctx, manifest.parsed);
  const children =
    manifest.kind === 'index' ? await ctx.catalog.childDigests(manifest.digest) : undefined;
  return { digest: manifest.digest, children };
}
