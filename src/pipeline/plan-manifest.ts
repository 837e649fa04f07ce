import {
  catchError,
  concat,
  defer,
  EMPTY,
  from,
  map,
  mergeMap,
  type Observable,
  throwError,
} from 'rxjs';
import type { Descriptor, ParsedManifest } from '../content/manifest-types';
import { parseManifest } from '../content/parse-manifest';
import { crashPoint } from '../crash-points';
import { SyncError } from '../errors';
import {
  type AnyDc,
  BlobDc,
  type ListEntryDc,
  isManifestDc,
  ManifestDc,
  type ManifestRef,
} from './declarative-content';
import { errorInManifest } from './error-in-manifest';
import { readImageConfig } from './read-image-config';
import { refuseEmptyIndex } from './refuse-empty-index';
import { signaturesOf, signaturesOfKnown } from './signatures-of';
import type { SyncContext } from './sync-context';
import { waitFor } from './wait-for';

/** Indexes nest; a deeper chain than this is refused rather than followed. */
const MAX_INDEX_DEPTH = 8;

/** What the first stage emits for one manifest: the DCs to put, and the manifest's own DC. */
export interface ManifestPlan {
  ref: ManifestRef;
  content$: Observable<AnyDc>;
}

/**
 * Plans the content of one parsed manifest. An image puts its config and layer blobs, waits for
 * them, then puts itself; a list fetches its children (a bounded merge), waits for them, then
 * puts itself. A DC that fails here fails its resolution, so whoever waits on it hears of it.
 */
export function planManifest(ctx: SyncContext, parsed: ParsedManifest, depth = 0): ManifestPlan {
  const running = ctx.manifests.get(parsed.digest);
  if (running) return { ref: running, content$: EMPTY };
  ctx.fetched.add(parsed.digest);
  return parsed.kind === 'index' ? planList(ctx, parsed, depth) : planImage(ctx, parsed);
}

function planImage(ctx: SyncContext, parsed: ParsedManifest): ManifestPlan {
  const fresh: BlobDc[] = [];
  const blobDc = (descriptor: Descriptor, role: 'config' | 'layer') => {
    let dc = ctx.blobs.get(descriptor.digest);
    if (!dc) {
      dc = new BlobDc(descriptor, role);
      ctx.blobs.set(descriptor.digest, dc);
      fresh.push(dc);
    }
    return dc;
  };
  const configBlob = parsed.config ? blobDc(parsed.config, 'config') : undefined;
  // Non-distributable layers (with `urls`) are recorded like the others; the download stage
  // records where they live instead of fetching them.
  const layerBlobs = parsed.layers.map((l) => blobDc(l, 'layer'));
  const dc = new ManifestDc(parsed, { configBlob, layerBlobs, entries: [] });
  ctx.manifests.set(parsed.digest, dc);

  const self$ = waitFor(ctx, [...(configBlob ? [configBlob] : []), ...layerBlobs]).pipe(
    mergeMap(async () => {
      if (configBlob) dc.config = await readImageConfig(ctx.store, parsed, configBlob);
      return dc;
    }),
  );
  const content$ = concat(from(fresh), self$, signaturesOf(ctx, dc));
  return { ref: dc, content$: failingInto(dc, content$) };
}

function planList(ctx: SyncContext, parsed: ParsedManifest, depth: number): ManifestPlan {
  const entries: ListEntryDc[] = [];
  const dc = new ManifestDc(parsed, { layerBlobs: [], entries });
  ctx.manifests.set(parsed.digest, dc);
  // A child that fails must not cancel its siblings: a sibling may be shared with another list
  // that already waits on it, and a cancelled plan never resolves. The first error is kept and
  // thrown once every child has settled.
  const childErrors: unknown[] = [];

  const children$ = defer(async () => {
    if (depth >= MAX_INDEX_DEPTH) {
      throw new SyncError('MANIFEST_INVALID', `indexes nested deeper than ${MAX_INDEX_DEPTH}`, {
        digest: parsed.digest,
      });
    }
    const digests = parsed.manifests.map((d) => d.digest);
    return ctx.catalog.knownManifests(
      ctx.catalogHadManifests ? digests : digests.filter((d) => ctx.fetched.has(d)),
    );
  }).pipe(
    mergeMap((known) =>
      from(parsed.manifests).pipe(
        mergeMap((descriptor, i) => {
          const existing = ctx.manifests.get(descriptor.digest) ?? known.get(descriptor.digest);
          if (existing) {
            entries[i] = { child: existing, platform: descriptor.platform };
            // A child new to the repository but saved before (a killed run) has its lookup here.
            return isManifestDc(existing) || ctx.liveManifests.has(existing.digest)
              ? EMPTY
              : signaturesOfKnown(ctx, existing);
          }
          return fetchChild(ctx, parsed, descriptor, depth).pipe(
            mergeMap((plan) => {
              entries[i] = { child: plan.ref, platform: descriptor.platform };
              return plan.content$;
            }),
            catchError((err: unknown) => {
              childErrors.push(err);
              return EMPTY;
            }),
          );
        }, ctx.options.childConcurrency),
      ),
    ),
  );
  const self$ = defer(() =>
    childErrors.length > 0
      ? throwError(() => childErrors[0])
      : waitFor(
          ctx,
          entries.flatMap((e) => (e.child instanceof ManifestDc ? [e.child] : [])),
        ),
  ).pipe(map(() => dc));
  const content$ = concat(children$, self$, signaturesOf(ctx, dc));
  return { ref: dc, content$: failingInto(dc, content$) };
}

function fetchChild(ctx: SyncContext, list: ParsedManifest, descriptor: Descriptor, depth: number) {
  return defer(async () => {
    try {
      const fetched = await ctx.upstream.getManifest(descriptor.digest, descriptor.digest);
      crashPoint('child-manifest.fetched', { digest: fetched.digest });
      const child = parseManifest(fetched.bytes, {
        digest: fetched.digest,
        contentType: fetched.contentType ?? descriptor.mediaType,
      });
      refuseEmptyIndex(child);
      await ctx.signatures?.kept(child.digest);
      return child;
    } catch (err) {
      throw errorInManifest(childError(err, descriptor.digest, list.digest), list.digest);
    }
  }).pipe(map((child) => planManifest(ctx, child, depth + 1)));
}

/** A child the list names but upstream does not have is MANIFEST_MISSING, naming both. */
function childError(err: unknown, child: string, list: string): SyncError {
  const error = errorInManifest(err, child);
  if (error.code !== 'NOT_FOUND' || error.data.digest !== child) return error;
  return new SyncError(
    'MANIFEST_MISSING',
    `manifest ${child} listed by ${list} is missing upstream (${error.message})`,
    { ...error.data, manifest: list },
    { cause: error },
  );
}

/**
 * Any error while planning fails the manifest's DC (and so everything waiting on it) and is
 * rethrown for the tag that started it to report, naming the document it is about.
 */
function failingInto(dc: ManifestDc, content$: Observable<AnyDc>): Observable<AnyDc> {
  return content$.pipe(
    catchError((err: unknown) => {
      const error = errorInManifest(err, dc.parsed.digest);
      dc.fail(error);
      return throwError(() => error);
    }),
  );
}
