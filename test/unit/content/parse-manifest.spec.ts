import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Digest } from '../../../src/content/digest';
import { manifestDigest } from '../../../src/content/manifest-digest';
import type { ManifestKind, Platform } from '../../../src/content/manifest-types';
import { MediaType } from '../../../src/content/media-types';
import { parseManifest } from '../../../src/content/parse-manifest';
import { SyncError } from '../../../src/errors';
import { SHARED_FIXTURES, describeWithFixtures } from '../../harness/fixtures';

const MANIFESTS = join(SHARED_FIXTURES, 'manifests');

interface Parses {
  mediaType: string;
  kind: ManifestKind;
  layers: number;
  platforms?: Platform[];
  architecture?: string;
}

/** What each file in fixtures/manifests must give; a file missing here fails the suite. */
const EXPECTED: Record<string, Parses | { code: string; mentions: string }> = {
  'non-json.manifest.json': { code: 'MANIFEST_INVALID', mentions: 'not JSON' },
  'ociv1.artifact.json': { mediaType: MediaType.ociManifest, kind: 'artifact', layers: 0 },
  'ociv1.image.index.json': {
    mediaType: MediaType.ociIndex,
    kind: 'index',
    layers: 0,
    platforms: [
      { architecture: 'ppc64le', os: 'linux' },
      { architecture: 'amd64', os: 'linux', osFeatures: ['sse4'] },
    ],
  },
  'ociv1.invalid.mediatype.manifest.json': {
    code: 'MANIFEST_INVALID',
    mentions: 'layers[0].mediaType',
  },
  'ociv1.manifest.json': { mediaType: MediaType.ociManifest, kind: 'image', layers: 3 },
  'ociv1.nondistributable.manifest.json': {
    mediaType: MediaType.ociManifest,
    kind: 'image',
    layers: 1,
  },
  'ociv1nomime.image.index.json': {
    mediaType: MediaType.ociIndex,
    kind: 'index',
    layers: 0,
    platforms: [
      { architecture: 'ppc64le', os: 'linux' },
      { architecture: 'amd64', os: 'linux', osFeatures: ['sse4'] },
    ],
  },
  'ociv1nomime.manifest.json': { mediaType: MediaType.ociManifest, kind: 'image', layers: 3 },
  'unknown-version.manifest.json': { code: 'MANIFEST_UNKNOWN_TYPE', mentions: 'schemaVersion' },
  'v2list.manifest.json': {
    mediaType: MediaType.dockerManifestList,
    kind: 'index',
    layers: 0,
    platforms: [
      { architecture: 'ppc64le', os: 'linux' },
      { architecture: 'amd64', os: 'linux', features: ['sse'] },
      { architecture: 's390x', os: 'linux' },
      { architecture: 'arm', os: 'linux', variant: 'armv7' },
      { architecture: 'arm64', os: 'linux', variant: 'armv8' },
    ],
  },
  'v2s1-unsigned.manifest.json': {
    mediaType: MediaType.dockerSchema1,
    kind: 'image',
    layers: 3,
    architecture: 'amd64',
  },
  'v2s1.manifest.json': {
    mediaType: MediaType.dockerSchema1Signed,
    kind: 'image',
    layers: 3,
    architecture: 'amd64',
  },
  'v2s2.manifest.json': { mediaType: MediaType.dockerSchema2, kind: 'image', layers: 3 },
  'v2s2.nondistributable.manifest.json': {
    mediaType: MediaType.dockerSchema2,
    kind: 'image',
    layers: 1,
  },
  // No mediaType: Docker schema 2 requires one, so by its shape this is an OCI manifest.
  'v2s2nomime.manifest.json': { mediaType: MediaType.ociManifest, kind: 'image', layers: 0 },
};

const read = (name: string) => readFileSync(join(MANIFESTS, name));

describeWithFixtures('parseManifest on fixtures/manifests', () => {
  it('has an expectation for every fixture file', () => {
    expect(readdirSync(MANIFESTS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(Object.entries(EXPECTED))('%s', (name, expected) => {
    const bytes = () => read(name);
    const digest = () => manifestDigest(bytes());

    if ('code' in expected) {
      it(`throws ${expected.code} naming the digest and the problem`, () => {
        const error = catchError(() => parseManifest(bytes(), { digest: digest() }));

        expect(error).toBeInstanceOf(SyncError);
        expect(error).toMatchObject({ code: expected.code, data: { digest: digest() } });
        expect(error.message).toContain(digest());
        expect(error.message).toContain(expected.mentions);
      });
      return;
    }

    it(`reads as ${expected.mediaType}, kind ${expected.kind}`, () => {
      const parsed = parseManifest(bytes(), { digest: digest() });

      expect(parsed).toMatchObject({
        digest: digest(),
        mediaType: expected.mediaType,
        kind: expected.kind,
      });
      expect(parsed.bytes.equals(bytes())).toBe(true);
      expect(parsed.layers).toHaveLength(expected.layers);
      expect(parsed.manifests.map((m) => m.platform)).toEqual(expected.platforms ?? []);
      if (expected.architecture) expect(parsed.architecture).toBe(expected.architecture);
    });
  });

  it('keeps the document order of OCI layers and reads config and annotations', () => {
    const parsed = parseManifest(read('ociv1.manifest.json'), { digest: digestOf('x') });

    expect(parsed.config).toEqual({
      mediaType: MediaType.ociConfig,
      size: 7023,
      digest: 'sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7',
    });
    expect(parsed.layers.map((l) => l.size)).toEqual([32654, 16724, 73109]);
    expect(parsed.annotations).toEqual({
      'com.example.key1': 'value1',
      'com.example.key2': 'value2',
    });
  });

  it('reads an artifact whose config has an empty digest as having no config blob', () => {
    const parsed = parseManifest(read('ociv1.artifact.json'), { digest: digestOf('x') });

    expect(parsed.config).toBeUndefined();
    expect(parsed.layers).toEqual([]);
  });

  it('reads schema 1 layers base first, duplicates kept, as Docker layers', () => {
    const bytes = read('v2s1.manifest.json');

    const parsed = parseManifest(bytes, { digest: manifestDigest(bytes) });

    expect(parsed.layers).toEqual(
      Array(3).fill({
        mediaType: MediaType.dockerLayer,
        digest: 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef',
      }),
    );
    expect(parsed).toMatchObject({ schemaVersion: 1, os: 'linux', manifests: [] });
    expect(parsed.config).toBeUndefined();
  });

  it('uses a manifest Content-Type when the document names no type', () => {
    const bytes = read('v2s2nomime.manifest.json');

    const parsed = parseManifest(bytes, {
      digest: sha256Digest(bytes),
      contentType: `${MediaType.dockerSchema2}; charset=utf-8`,
    });

    expect(parsed.mediaType).toBe(MediaType.dockerSchema2);
  });

  it('ignores a Content-Type that is not a manifest type', () => {
    const bytes = read('ociv1nomime.manifest.json');

    const parsed = parseManifest(bytes, { digest: sha256Digest(bytes), contentType: 'text/plain' });

    expect(parsed.mediaType).toBe(MediaType.ociManifest);
  });

  it('prefers the document mediaType over the Content-Type', () => {
    const bytes = read('v2s2.manifest.json');

    const parsed = parseManifest(bytes, {
      digest: sha256Digest(bytes),
      contentType: MediaType.ociManifest,
    });

    expect(parsed.mediaType).toBe(MediaType.dockerSchema2);
  });
});

describeWithFixtures('schema 1 digests', () => {
  it('hashes a signed manifest as its payload without signatures', () => {
    // The unsigned fixture is the signed one's payload byte for byte: an independent check.
    const unsigned = read('v2s1-unsigned.manifest.json');

    expect(manifestDigest(read('v2s1.manifest.json'))).toBe(sha256Digest(unsigned));
    expect(manifestDigest(unsigned)).toBe(sha256Digest(unsigned));
  });

  it('gives the Docker-Content-Digest the registry reported for the skopeo fixture', () => {
    const bytes = readFileSync(join(SHARED_FIXTURES, 'dirs/skopeo-schema1-signed/manifest.json'));
    const expected = JSON.parse(
      readFileSync(join(SHARED_FIXTURES, 'expected/schema1.json'), 'utf8'),
    ) as { tags: { latest: string } };

    const digest = manifestDigest(bytes);

    expect(digest).toBe('sha256:3b93a98785ed46f9fa9fefd53127c3fa91e1d0314f90c00d8fb9b8d7448ec1ad');
    expect(digest).toBe(expected.tags.latest);
    expect(digest).not.toBe(sha256Digest(bytes));
  });
});

function digestOf(text: string) {
  return sha256Digest(text);
}

function catchError(fn: () => unknown): SyncError {
  try {
    fn();
  } catch (err) {
    return err as SyncError;
  }
  throw new Error('expected an error');
}
