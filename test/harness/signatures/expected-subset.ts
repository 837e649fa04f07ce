import type { ExpectedRepository } from '../fixtures';

/**
 * What `expected/<repository>.json` holds for some of its tags only: those tags, every manifest
 * they reach through index entries, and those manifests' blobs, configs and list entries. What
 * a sync of those tags alone should record.
 */
export function expectedForTags(
  expected: ExpectedRepository,
  tags: readonly string[],
): ExpectedRepository {
  const reached = new Set<string>();
  const visit = (digest: string): void => {
    if (reached.has(digest)) return;
    reached.add(digest);
    for (const [list, child] of expected.list_manifests) if (list === digest) visit(child);
  };
  const kept: Record<string, string> = {};
  for (const tag of tags) {
    const digest = expected.tags[tag];
    if (digest === undefined) throw new Error(`expected/ has no tag ${tag}`);
    kept[tag] = digest;
    visit(digest);
  }

  const manifestBlobs = expected.manifest_blobs.filter(([manifest]) => reached.has(manifest));
  const configs = Object.entries(expected.manifest_configs).filter(([m]) => reached.has(m));
  const used = new Set([...manifestBlobs.map(([, blob]) => blob), ...configs.map(([, c]) => c)]);
  return {
    tags: kept,
    manifests: Object.fromEntries(
      Object.entries(expected.manifests).filter(([digest]) => reached.has(digest)),
    ),
    blobs: expected.blobs.filter((blob) => used.has(blob)),
    manifest_blobs: manifestBlobs,
    manifest_configs: Object.fromEntries(configs),
    list_manifests: expected.list_manifests.filter(([list]) => reached.has(list)),
    foreign_layers: expected.foreign_layers,
  };
}
