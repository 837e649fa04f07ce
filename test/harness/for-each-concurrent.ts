import { from, lastValueFrom, mergeMap } from 'rxjs';

/**
 * Runs `work` over `items` with at most `concurrency` in flight; rejects with the first failure
 * (work already started is not cancelled, its results are ignored).
 */
export async function forEachConcurrent<T>(
  items: Iterable<T>,
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  const done$ = from(items).pipe(mergeMap((item) => work(item), concurrency));
  await lastValueFrom(done$, { defaultValue: undefined });
}
