import { NEVER, Observable, type OperatorFunction } from 'rxjs';

/**
 * Groups items into batches of `size`, like `bufferCount`, but also closes a partly filled
 * batch early when something upstream waits on an item inside it.
 *
 * Without that, the first stage can wait for an item that sits in a batch which only fills once
 * the first stage goes on: a deadlock. `waits$` announces the items being waited for; an item
 * announced before it arrives closes its batch as soon as it does. Each item is emitted once,
 * in arrival order; the last partial batch is emitted when the source completes.
 *
 * `saving$` says whether the consumer is busy with the previous batch. While it is, an early
 * flush is held back and the batch keeps filling; it is emitted the moment the consumer turns
 * idle. Nothing is waited on longer than without it (the consumer could not have taken the
 * batch sooner), and when everything is awaited, as in a sync where each item is a dependency of
 * the next, batches grow with the consumer's latency instead of shrinking to one item each.
 * Full batches are emitted whatever the consumer is doing.
 */
export function batchWithFlush<T>(
  size: number,
  waits$: Observable<readonly T[]>,
  saving$: Observable<boolean> = NEVER,
): OperatorFunction<T, T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size ${size} is not >= 1`);
  return (source$) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let busy = false;
      // Items someone waits on that have not been flushed yet.
      const awaited = new Set<T>();
      // Items already handed on: a late announcement of one of them must not linger in awaited.
      const flushed = new WeakSet<object>();

      const flush = () => {
        if (batch.length === 0) return;
        const closed = batch;
        batch = [];
        for (const item of closed) {
          awaited.delete(item);
          if (typeof item === 'object' && item !== null) flushed.add(item);
        }
        subscriber.next(closed);
      };
      const flushEarly = () => {
        if (!busy) flush();
      };
      const holdsAwaited = () => batch.some((item) => awaited.has(item));

      const savingSubscription = saving$.subscribe((saving) => {
        busy = saving;
        if (!busy && holdsAwaited()) flush();
      });

      const waitsSubscription = waits$.subscribe((items) => {
        let inBatch = false;
        for (const item of items) {
          if (typeof item === 'object' && item !== null && flushed.has(item)) continue;
          awaited.add(item);
          inBatch ||= batch.includes(item);
        }
        if (inBatch) flushEarly();
      });

      const sourceSubscription = source$.subscribe({
        next: (item) => {
          batch.push(item);
          if (batch.length >= size) flush();
          else if (awaited.has(item)) flushEarly();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          flush();
          subscriber.complete();
        },
      });

      return () => {
        sourceSubscription.unsubscribe();
        waitsSubscription.unsubscribe();
        savingSubscription.unsubscribe();
      };
    });
}
