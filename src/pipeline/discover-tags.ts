import { concat, filter, from, type Observable } from 'rxjs';
import type { Upstream } from '../registry/upstream';

/**
 * Tag discovery: every page of the tag list, flattened, then filtered; then the digests asked for
 * by an include `sha256:<hex>`, which the first stage syncs without a tag.
 */
export function discoverTags(
  upstream: Upstream,
  keep: (tag: string) => boolean,
  digests: readonly string[] = [],
): Observable<string> {
  return concat(upstream.listTags().pipe(filter(keep)), from(digests));
}
