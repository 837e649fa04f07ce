import { fromEvent, lastValueFrom, NEVER, of, reduce, takeUntil } from 'rxjs';
import { batchWithFlush } from './batch-with-flush';
import { TagDc } from './declarative-content';
import { discoverTags } from './discover-tags';
import { downloadBlobs } from './download-blobs';
import { saveBatches } from './save-batches';
import type { SyncContext } from './sync-context';
import { tagsToContent } from './tags-to-content';

/**
 * The whole flow of one sync: tags, their content, downloads, batched saves. Resolves with the
 * saved tag rows' ids; failed tags are in `ctx.failed`.
 */
export function runPipeline(ctx: SyncContext): Promise<string[]> {
  const { signal } = ctx;
  const stop$ = !signal ? NEVER : signal.aborted ? of(true) : fromEvent(signal, 'abort');
  const savedTagIds$ = discoverTags(ctx.upstream, ctx.options.tagFilter, ctx.options.digests).pipe(
    tagsToContent(ctx),
    takeUntil(stop$),
    downloadBlobs(ctx),
    batchWithFlush(ctx.options.batchSize, ctx.waits$),
    saveBatches(ctx),
    reduce((ids: string[], batch) => {
      for (const dc of batch) if (dc instanceof TagDc && dc.row) ids.push(dc.row.id);
      return ids;
    }, []),
  );
  return lastValueFrom(savedTagIds$);
}
