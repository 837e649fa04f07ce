import { defer, EMPTY, catchError, map, mergeMap, type OperatorFunction, of } from 'rxjs';
import { toSyncError } from '../errors';
import { type AnyDc, BlobDc } from './declarative-content';
import type { SyncContext } from './sync-context';

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
        const error = toSyncError(err, 'REGISTRY_ERROR', { digest: dc.descriptor.digest });
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
  if (dc.role === 'layer' && ctx.options.policy === 'on_demand') {
    dc.remoteUrl = ctx.upstream.blobUrl(digest);
    return;
  }
  const started = Date.now();
  const stream = await ctx.upstream.fetchBlob(digest);
  const written = await ctx.store.write(digest, stream, size);
  dc.storedSize = written.size;
  ctx.counts.blobs += 1;
  ctx.counts.bytes += written.size;
  ctx.log.debug({ digest, size: written.size, ms: Date.now() - started }, 'blob downloaded');
}
