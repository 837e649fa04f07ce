import {
  catchError,
  concat,
  defer,
  EMPTY,
  mergeMap,
  type Observable,
  of,
  type OperatorFunction,
} from 'rxjs';
import { type Digest, isDigest } from '../content/digest';
import type { ParsedManifest } from '../content/manifest-types';
import { parseManifest } from '../content/parse-manifest';
import { crashPoint } from '../crash-points';
import { SyncError, toSyncError } from '../errors';
import { isReferrersTag } from './companion-tags';
import { type AnyDc, isManifestDc, type ManifestRef, TagDc } from './declarative-content';
import { errorInManifest } from './error-in-manifest';
import { planManifest } from './plan-manifest';
import { refuseEmptyIndex } from './refuse-empty-index';
import { unlessUnsigned } from './signed-only';
import { cosignSubjectSignatures, signaturesOfKnown } from './signatures-of';
import type { SyncContext } from './sync-context';
import { waitFor } from './wait-for';

/**
 * The first stage: each tag becomes the DCs of what it points at, then its own DC once its
 * manifest resolved. A manifest the catalog already has is not fetched: one HEAD per tag is the
 * whole cost of a tag that did not change. A tag that fails is recorded and the others go on.
 * A digest (an include `sha256:<hex>`) is synced the same way, without a tag: its manifest is
 * recorded in `ctx.untagged` once it resolved.
 */
export function tagsToContent(ctx: SyncContext): OperatorFunction<string, AnyDc> {
  return mergeMap((tag) => tagContent(ctx, tag), ctx.options.tagConcurrency);
}

function tagContent(ctx: SyncContext, tag: string): Observable<AnyDc> {
  ctx.processedRefs.add(tag);
  return defer(async () => {
    if (!ctx.catalogHadManifests)
      return { missing: false as const, digest: refDigest(tag), known: undefined };
    const head = await ctx.upstream.headManifest(tag);
    if (!head) return { missing: true as const };
    const digest = head.digest;
    const known = digest
      ? (ctx.manifests.get(digest) ??
        ctx.liveManifests.get(digest) ??
        (await ctx.catalog.knownManifests([digest])).get(digest))
      : undefined;
    return { missing: false as const, digest, known };
  }).pipe(
    mergeMap((found): Observable<AnyDc> => {
      if (found.missing) {
        warnGone(ctx, tag);
        return EMPTY;
      }
      if (found.known) {
        const known = found.known;
        if (!isManifestDc(known)) ctx.knownRoots.add(known.digest);
        return unlessUnsigned(ctx, tag, known, () =>
          tagAfter(ctx, tag, known, isManifestDc(known) ? EMPTY : signaturesOfKnown(ctx, known)),
        );
      }
      return defer(() => fetchRoot(ctx, tag, found.digest)).pipe(
        mergeMap((parsed) =>
          !parsed
            ? EMPTY
            : unlessUnsigned(ctx, tag, parsed, () => {
                const plan = planManifest(ctx, parsed);
                return tagAfter(ctx, tag, plan.ref, plan.content$);
              }),
        ),
      );
    }),
    catchError((err: unknown) => {
      const error = toSyncError(err, 'INTERNAL', { reference: tag });
      const { digest, manifest } = error.data;
      const failure = {
        reference: tag,
        digest,
        manifest,
        code: error.code,
        message: error.message,
      };
      ctx.failed.push(failure);
      ctx.log.error({ ...failure, err: error }, 'tag failed');
      return EMPTY;
    }),
  );
}

/**
 * The manifest a tag names, fetched, checked and parsed. Signatures are looked up before
 * anything of it is put: a lookup that fails fails the tag while nothing is saved, so the next
 * run looks again. An error names the manifest's digest when the HEAD gave one.
 */
async function fetchRoot(
  ctx: SyncContext,
  tag: string,
  digest?: Digest,
): Promise<ParsedManifest | undefined> {
  try {
    const fetched = await fetchUnlessGone(ctx, tag, digest);
    if (!fetched) return undefined;
    crashPoint('manifest.fetched', { digest: fetched.digest });
    const parsed = parseManifest(fetched.bytes, {
      digest: fetched.digest,
      contentType: fetched.contentType,
    });
    if (!isReferrersTag(tag)) refuseEmptyIndex(parsed);
    await ctx.signatures?.kept(parsed.digest);
    return parsed;
  } catch (err) {
    throw digest ? errorInManifest(err, digest) : err;
  }
}

/** Without a HEAD first, a tag removed since the list was read shows as a 404 on the GET. */
async function fetchUnlessGone(ctx: SyncContext, tag: string, digest?: Digest) {
  if (ctx.catalogHadManifests) return ctx.upstream.getManifest(digest ?? tag, digest);
  try {
    return await ctx.upstream.getManifest(digest ?? tag, digest);
  } catch (err) {
    if (!(err instanceof SyncError) || err.code !== 'NOT_FOUND') throw err;
    warnGone(ctx, tag);
    return undefined;
  }
}

function warnGone(ctx: SyncContext, tag: string): void {
  ctx.log.warn({ tag }, 'tag listed but its manifest is gone upstream');
}

/** A digest include names its manifest's digest; a tag names none until fetched. */
function refDigest(reference: string): Digest | undefined {
  return isDigest(reference) ? reference : undefined;
}

/** Puts the manifest's content, then the tag once the manifest resolved. */
function tagAfter(
  ctx: SyncContext,
  tag: string,
  ref: ManifestRef,
  content$: Observable<AnyDc>,
): Observable<AnyDc> {
  const tagDc$ = defer(() => waitFor(ctx, isManifestDc(ref) ? [ref] : [])).pipe(
    mergeMap(() => {
      if (!isDigest(tag)) return of(new TagDc(tag, ref));
      ctx.untagged.set(tag, isManifestDc(ref) ? ref.row!.id : ref.id);
      return EMPTY;
    }),
  );
  // A `.sig` tag that moved brings the signatures it holds; one the version has brings nothing new.
  const signatures$ =
    isManifestDc(ref) || !ctx.liveManifests.has(ref.digest)
      ? cosignSubjectSignatures(ctx, tag)
      : EMPTY;
  return concat(content$, tagDc$, signatures$);
}
