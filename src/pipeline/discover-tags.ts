import { filter, type Observable } from 'rxjs';
import type { Upstream } from '../registry/upstream';

/** Tag discovery: every page of the tag list, flattened, then filtered. */
export function discoverTags(upstream: Upstream, keep: (tag: string) => boolean): Observable<string> {
  return upstream.listTags().pipe(filter(keep));
}
