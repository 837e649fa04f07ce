import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Digest } from '../../../src/content/digest';
import type { ParsedManifest } from '../../../src/content/manifest-types';
import { parseManifest } from '../../../src/content/parse-manifest';
import { SHARED_FIXTURES, describeWithFixtures, loadExpected } from '../../harness/fixtures';

/** Every blob of every fixture layout that is a manifest (has a schemaVersion), parsed. */
function layoutManifests(): Map<
  string,
  { layout: string; parsed: ParsedManifest; declared: string }
> {
  const found = new Map<string, { layout: string; parsed: ParsedManifest; declared: string }>();
  const layouts = join(SHARED_FIXTURES, 'layouts');
  const roots = readdirSync(layouts).flatMap((name) => {
    const nested = readdirSync(join(layouts, name));
    if (nested.includes('blobs')) return [join(layouts, name)];
    return nested.map((child) => join(layouts, name, child));
  });
  for (const root of roots) {
    const dir = join(root, 'blobs', 'sha256');
    for (const hex of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, hex));
      const declared = mediaTypeField(bytes);
      if (declared === undefined) continue;
      const digest = sha256Digest(bytes);
      found.set(digest, { layout: root, parsed: parseManifest(bytes, { digest }), declared });
    }
  }
  return found;
}

function mediaTypeField(bytes: Buffer): string | undefined {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as {
      schemaVersion?: number;
      mediaType?: string;
    };
    return doc.schemaVersion === undefined ? undefined : (doc.mediaType ?? '');
  } catch {
    return undefined;
  }
}

describeWithFixtures('parseManifest on every manifest of the fixture layouts', () => {
  let all: ReturnType<typeof layoutManifests>;

  beforeAll(() => {
    all = layoutManifests();
  });

  it('parses them all, each as the media type it declares', () => {
    expect(all.size).toBeGreaterThan(50);
    for (const { parsed, declared } of all.values()) expect(parsed.mediaType).toBe(declared);
  });

  it('reads every oc-mirror signature as a cosign signature', () => {
    const signatures = [...all.values()].filter(({ layout }) => layout.includes('-sig'));

    expect(signatures).toHaveLength(6);
    expect(signatures.every(({ parsed }) => parsed.kind === 'cosign_signature')).toBe(true);
  });

  it('reads regclient artifacts as artifacts and images as images', () => {
    const kinds = (filter: (p: ParsedManifest) => boolean) =>
      new Set(
        [...all.values()]
          .map(({ parsed }) => parsed)
          .filter(filter)
          .map((p) => p.kind),
      );

    expect(kinds((p) => p.artifactType !== undefined && p.layers.length > 0)).toEqual(
      new Set(['artifact']),
    );
    expect(
      kinds(
        (p) =>
          p.config?.mediaType === 'application/vnd.oci.image.config.v1+json' &&
          p.layers.every((l) => l.mediaType.startsWith('application/vnd.oci.image.layer')),
      ),
    ).toEqual(new Set(['image']));
  });

  it('gives the platforms the registry reader recorded for the Docker manifest list', () => {
    const expected = loadExpected('docker-list');
    const list = all.get(expected.tags.latest!)!.parsed;

    const entries = list.manifests.map((m) => [
      list.digest,
      m.digest,
      m.platform?.architecture,
      m.platform?.os,
      m.platform?.variant ?? '',
    ]);

    expect(entries.sort()).toEqual([...expected.list_manifests].sort());
  });
});
