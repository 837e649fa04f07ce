import { defer, EMPTY, catchError, map, mergeMap, type OperatorFunction, of } from 'rxjs';
import type { Descriptor } from '../content/manifest-types';
import { SyncError, toSyncError } from '../errors';
import { type AnyDc, BlobDc } from './declarative-content';
import type { SyncContext } from './sync-context';

/** A config blob up to this size is kept in memory for its manifest to read once. */
const KEEP_CONFIG_BYTES = 256 * 1024;

/** The width of `blob_source.url`; a longer URL could not be recorded. */
const MAX_SOURCE_URL = 2048;

/**
 * Streams each blob that the store lacks into it (verified there before it becomes visible).
 * A blob that fails is failed and dropped here, so it never reaches a batch and the manifest
 * waiting on it is told why. Other items pass straight through.
 */
export function downloadBlobs(ctx: SyncContext): OperatorFunction<AnyDc, AnyDc> {
  return mergeMap((dc) => {
    if (!(dc instanceof BlobDc)) return of(dc);
    return defer(() => download(ctx, dc)).pipe(
      map(() => dc),
      catchError((err: unknown) => {
        const error = blobError(err, dc.descriptor.digest);
        ctx.log.error({ digest: dc.descriptor.digest, err: error }, 'blob download failed');
        dc.fail(error);
        return EMPTY;
      }),
    );
  }, ctx.options.downloadConcurrency);
}

async function download(ctx: SyncContext, dc: BlobDc): Promise<void> {
  const { digest, size } = dc.descriptor;
  const stored = await ctx.store.sizeOf(digest);
  if (stored !== undefined) {
    dc.storedSize = stored;
    return;
  }
  if (dc.role === 'layer' && dc.descriptor.urls?.length) {
    dc.remoteUrls = foreignUrls(dc.descriptor);
    return;
  }
  if (dc.role === 'layer' && ctx.options.policy === 'on_demand') {
    dc.remoteUrls = [ctx.upstream.blobUrl(digest)];
    return;
  }
  const started = Date.now();
  const stream = await ctx.upstream.fetchBlob(digest);
  const keepUpTo = dc.role === 'config' ? KEEP_CONFIG_BYTES : undefined;
  const written = await ctx.store.write(digest, stream, size, { keepUpTo });
  dc.storedSize = written.size;
  dc.configBytes = written.bytes;
  ctx.counts.blobs += 1;
  ctx.counts.bytes += written.size;
  ctx.log.debug({ digest, size: written.size, ms: Date.now() - started }, 'blob downloaded');
}

/**
 * A non-distributable layer (image-spec/descriptor.md, `urls`) is fetched from where its
 * descriptor says, never from the registry: it is recorded with those places, not downloaded.
 */
function foreignUrls(descriptor: Descriptor): string[] {
  const urls = [...new Set(descriptor.urls)].filter((url) => url.length <= MAX_SOURCE_URL);
  if (urls.length > 0) return urls;
  const problem = `names no URL of at most ${MAX_SOURCE_URL} characters`;
  throw new SyncError('BLOB_INVALID', `non-distributable layer ${descriptor.digest} ${problem}`, {
    digest: descriptor.digest,
  });
}

/** A blob a manifest names that upstream does not have is BLOB_MISSING. */
function blobError(err: unknown, digest: string): SyncError {
  const error = toSyncError(err, 'REGISTRY_ERROR', { digest });
  if (error.code !== 'NOT_FOUND') return error;
  return new SyncError(
    'BLOB_MISSING',
    `blob ${digest} is missing upstream (${error.message})`,
    { ...error.data, digest },
    { cause: error },
  );
}
