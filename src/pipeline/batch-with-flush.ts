import { asyncScheduler, NEVER, Observable, type OperatorFunction, type Subscription } from 'rxjs';

/**
 * Groups items into batches of `size`, like `bufferCount`, but also closes a partly filled
 * batch early when something upstream waits on an item inside it.
 *
 * Without that, the first stage can wait for an item that sits in a batch which only fills once
 * the first stage goes on: a deadlock. `waits$` announces the items being waited for; an item
 * announced before it arrives makes its batch due as soon as it does. Each item is emitted once,
 * in arrival order; the last partial batch is emitted when the source completes.
 *
 * A due batch still waits for two things, so that it grows instead of becoming one transaction
 * per row (in a sync every item is a dependency of the next, so nearly every batch is due):
 * - `lingerMs` from the moment it became due, for the items that are on their way;
 * - the consumer, while `saving$` says it is busy with the previous batch: the consumer could
 *   not have taken it sooner anyway.
 * Nothing waits longer than `lingerMs` beyond what the consumer imposes. Full batches are
 * emitted at once, whatever the consumer is doing.
 */
export function batchWithFlush<T>(
  size: number,
  waits$: Observable<readonly T[]>,
  saving$: Observable<boolean> = NEVER,
  lingerMs = 0,
): OperatorFunction<T, T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size ${size} is not >= 1`);
  return (source$) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let busy = false;
      // When the batch became due (an awaited item in it), and the timer that flushes it then.
      let dueAt: number | undefined;
      let lingering: Subscription | undefined;
      // Items someone waits on that have not been flushed yet.
      const awaited = new Set<T>();
      // Items already handed on: a late announcement of one of them must not linger in awaited.
      const flushed = new WeakSet<object>();

      const flush = () => {
        lingering?.unsubscribe();
        lingering = undefined;
        dueAt = undefined;
        if (batch.length === 0) return;
        const closed = batch;
        batch = [];
        for (const item of closed) {
          awaited.delete(item);
          if (typeof item === 'object' && item !== null) flushed.add(item);
        }
        subscriber.next(closed);
      };
      const flushWhenDue = () => {
        dueAt ??= asyncScheduler.now() + lingerMs;
        if (busy) return;
        const left = dueAt - asyncScheduler.now();
        if (left <= 0) {
          flush();
          return;
        }
        lingering ??= asyncScheduler.schedule(() => {
          lingering = undefined;
          if (!busy) flush();
        }, left);
      };
      const holdsAwaited = () => batch.some((item) => awaited.has(item));

      const savingSubscription = saving$.subscribe((saving) => {
        busy = saving;
        if (!busy && holdsAwaited()) flushWhenDue();
      });

      const waitsSubscription = waits$.subscribe((items) => {
        let inBatch = false;
        for (const item of items) {
          if (typeof item === 'object' && item !== null && flushed.has(item)) continue;
          awaited.add(item);
          inBatch ||= batch.includes(item);
        }
        if (inBatch) flushWhenDue();
      });

      const sourceSubscription = source$.subscribe({
        next: (item) => {
          batch.push(item);
          if (batch.length >= size) flush();
          else if (awaited.has(item)) flushWhenDue();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          flush();
          subscriber.complete();
        },
      });

      return () => {
        lingering?.unsubscribe();
        sourceSubscription.unsubscribe();
        waitsSubscription.unsubscribe();
        savingSubscription.unsubscribe();
      };
    });
}
