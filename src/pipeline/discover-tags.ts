import { concat, filter, from, mergeMap, type Observable, tap, toArray } from 'rxjs';
import type { Upstream } from '../registry/upstream';

/**
 * Tag discovery: every page of the tag list, flattened, then filtered; then the digests asked for
 * by an include `sha256:<hex>`, which the first stage syncs without a tag. The whole list is read
 * before the first tag goes on, into `allTags`, because whether a manifest has cosign
 * signatures or referrers is told by tags the filter may leave out.
 */
export function discoverTags(
  upstream: Upstream,
  keep: (tag: string) => boolean,
  allTags: Set<string>,
  digests: readonly string[] = [],
): Observable<string> {
  const tags$ = upstream.listTags().pipe(
    toArray(),
    tap((tags) => tags.forEach((tag) => allTags.add(tag))),
    mergeMap((tags) => from(tags)),
    filter(keep),
  );
  return concat(tags$, from(digests));
}
