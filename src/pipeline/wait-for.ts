import { defaultIfEmpty, forkJoin, map, type Observable, of } from 'rxjs';
import { SyncError } from '../errors';
import type { AnyDc } from './declarative-content';
import type { SyncContext } from './sync-context';

/**
 * Waits until every item resolved, announcing the unresolved ones so the batch stage flushes a
 * batch that holds one. Errors when any item failed or was skipped, naming it.
 */
export function waitFor(ctx: SyncContext, items: readonly AnyDc[]): Observable<void> {
  const open = items.filter((item) => !item.isSettled || item.row === undefined);
  if (open.length === 0) return of(undefined);
  ctx.waits$.next(open);
  return forkJoin(
    open.map((item) =>
      (item.resolution$ as Observable<unknown>).pipe(
        defaultIfEmpty(undefined),
        map((row) => {
          if (row === undefined) {
            throw new SyncError('DEPENDENCY_FAILED', `${item.kind} ${item.key} was skipped`, {
              digest: item.key,
            });
          }
          return row;
        }),
      ),
    ),
  ).pipe(map(() => undefined));
}
