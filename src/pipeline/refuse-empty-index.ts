import type { ParsedManifest } from '../content/manifest-types';
import { SyncError } from '../errors';

/**
 * Refuses an index that lists no manifests (`"manifests": []`). The specs allow one, but it
 * names nothing anyone can pull: it is what a multi-platform build that broke off, or a list
 * pushed before its children, leaves behind. Recording it would replace a tag's last good content
 * with nothing, so the reference fails as INDEX_EMPTY instead: the previous version keeps the tag
 * (in mirror mode too) and the run report names it. The caller exempts the referrers fallback
 * tag, where an empty index is the ordinary "no referrers (left)" state.
 */
export function refuseEmptyIndex(parsed: ParsedManifest): void {
  if (parsed.kind !== 'index' || parsed.manifests.length > 0) return;
  throw new SyncError('INDEX_EMPTY', `index ${parsed.digest} lists no manifests`, {
    digest: parsed.digest,
  });
}
