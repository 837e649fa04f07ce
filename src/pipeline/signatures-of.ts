import { defer, EMPTY, from, mergeMap, type Observable } from 'rxjs';
import type { Manifest } from '../db/entities/manifest';
import type { ParsedSignature } from '../signatures/signature-types';
import { companionSubject, isCosignSignatureTag } from './companion-tags';
import {
  type AnyDc,
  isManifestDc,
  type ManifestDc,
  type ManifestRef,
  SignatureDc,
} from './declarative-content';
import type { SyncContext } from './sync-context';
import { waitFor } from './wait-for';

/** A manifest fetched this run: its signatures (found before it was planned), once it resolved. */
export function signaturesOf(ctx: SyncContext, dc: ManifestDc): Observable<AnyDc> {
  const checker = ctx.signatures;
  if (!checker) return EMPTY;
  return defer(() => checker.kept(dc.parsed.digest)).pipe(
    mergeMap((signatures) => putAfter(ctx, dc, signatures)),
  );
}

/**
 * A manifest the catalog had. In the repository's version, its signatures were looked up when
 * it joined, and may have been added since: only sources that cost nothing when there is nothing
 * new are asked (a configured lookaside store, the signature API once this run found it); cosign
 * signatures come with their `.sig` tag. Not in the version (saved by another repository, or by
 * a run killed before it made its version), it and the manifests it reaches are looked up
 * everywhere, as if fetched now, or their signatures would never reach this repository.
 */
export function signaturesOfKnown(ctx: SyncContext, manifest: Manifest): Observable<AnyDc> {
  const checker = ctx.signatures;
  if (!checker) return EMPTY;
  if (ctx.liveManifests.has(manifest.digest)) {
    return defer(() => checker.kept(manifest.digest, 'cheap')).pipe(
      mergeMap((signatures) => putAfter(ctx, manifest, signatures)),
    );
  }
  return defer(async () =>
    ctx.catalog.knownManifests(await ctx.catalog.reachableDigests([manifest.digest])),
  ).pipe(
    mergeMap((reached) => from(reached.values())),
    mergeMap((known) =>
      defer(() => checker.kept(known.digest)).pipe(
        mergeMap((signatures) => putAfter(ctx, known, signatures)),
      ),
    ),
  );
}

/**
 * A cosign `.sig` tag synced: the signatures it holds belong to the manifest its name gives,
 * when that manifest is in this run or the catalog. This is how a signature added to a manifest
 * synced before reaches the catalog: its `.sig` tag moved.
 */
export function cosignSubjectSignatures(ctx: SyncContext, tag: string): Observable<AnyDc> {
  const checker = ctx.signatures;
  const subject = companionSubject(tag);
  if (!checker || !subject || !isCosignSignatureTag(tag)) return EMPTY;
  return defer(async () => {
    const ref =
      ctx.manifests.get(subject) ?? (await ctx.catalog.knownManifests([subject])).get(subject);
    return { ref, signatures: ref ? await checker.kept(subject) : [] };
  }).pipe(mergeMap(({ ref, signatures }) => (ref ? putAfter(ctx, ref, signatures) : EMPTY)));
}

/** Signature DCs, one per signature digest per run, put once their manifest resolved. */
function putAfter(
  ctx: SyncContext,
  manifest: ManifestRef,
  signatures: ParsedSignature[],
): Observable<AnyDc> {
  const fresh = signatures.filter((s) => !ctx.signatureDigests.has(s.digest));
  if (fresh.length === 0) return EMPTY;
  for (const s of fresh) ctx.signatureDigests.add(s.digest);
  return waitFor(ctx, isManifestDc(manifest) ? [manifest] : []).pipe(
    mergeMap(() => from(fresh.map((parsed) => new SignatureDc(parsed, manifest)))),
  );
}
