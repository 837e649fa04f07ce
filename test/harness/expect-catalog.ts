import type { VersionContent } from '../../src/db/version-content';
import type { ExpectedRepository } from './fixtures';

/** expected/ names kinds by media type alone: schema1, index, or image for every other. */
function expectedKind(m: VersionContent['manifests'][string]): string {
  if (m.schemaVersion === 1) return 'schema1';
  return m.kind === 'index' ? 'index' : 'image';
}

function byText<T>(rows: T[]): T[] {
  return [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/**
 * Asserts that a synced version holds exactly what `expected/<repository>.json` lists: tags,
 * manifests with media types, blobs, manifest-blob pairs, configs, list entries with platform.
 */
export function expectCatalogMatches(content: VersionContent, expected: ExpectedRepository): void {
  expect(content.tags).toEqual(expected.tags);
  expect(
    Object.fromEntries(
      Object.entries(content.manifests).map(([digest, m]) => [
        digest,
        { media_type: m.mediaType, kind: expectedKind(m) },
      ]),
    ),
  ).toEqual(expected.manifests);
  expect(content.blobs).toEqual([...expected.blobs].sort());
  expect(byText(content.manifestBlobs)).toEqual(byText(expected.manifest_blobs));
  expect(content.manifestConfigs).toEqual(expected.manifest_configs);
  expect(byText(content.listManifests)).toEqual(byText(expected.list_manifests));
}
