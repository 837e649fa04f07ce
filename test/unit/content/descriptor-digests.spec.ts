import { sha256Digest } from '../../../src/content/digest';
import { MediaType } from '../../../src/content/media-types';
import { parseManifest } from '../../../src/content/parse-manifest';

const GOOD = `sha256:${'12'.repeat(32)}`;
const BAD = 'sha256:../../../etc/passwd';
const descriptor = (digest: string, mediaType: string) => ({ mediaType, digest, size: 2 });

/** Each document names BAD in one field; the field path is what the error must point at. */
const DOCUMENTS: Array<[field: string, document: object]> = [
  [
    'manifests[1].digest',
    {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [descriptor(GOOD, MediaType.ociManifest), descriptor(BAD, MediaType.ociManifest)],
    },
  ],
  [
    'manifests[0].digest',
    {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifestList,
      manifests: [
        {
          ...descriptor(BAD, MediaType.dockerSchema2),
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    },
  ],
  [
    'layers[1].digest',
    {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: descriptor(GOOD, 'application/vnd.oci.image.config.v1+json'),
      layers: [
        descriptor(GOOD, 'application/vnd.oci.image.layer.v1.tar+gzip'),
        descriptor(BAD, 'application/vnd.oci.image.layer.v1.tar+gzip'),
      ],
    },
  ],
  [
    'config.digest',
    {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: descriptor(BAD, 'application/vnd.oci.image.config.v1+json'),
      layers: [],
    },
  ],
  [
    'config.digest',
    {
      schemaVersion: 2,
      mediaType: MediaType.dockerSchema2,
      config: descriptor(BAD, 'application/vnd.docker.container.image.v1+json'),
      layers: [],
    },
  ],
  [
    'subject.digest',
    {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: descriptor(GOOD, 'application/vnd.oci.image.config.v1+json'),
      layers: [],
      subject: descriptor(BAD, MediaType.ociManifest),
    },
  ],
  [
    'fsLayers[0].blobSum',
    {
      schemaVersion: 1,
      name: 'app',
      tag: 'v1',
      architecture: 'amd64',
      fsLayers: [{ blobSum: BAD }],
      history: [{ v1Compatibility: '{}' }],
    },
  ],
];

describe('parseManifest with a descriptor naming a bad digest', () => {
  it.each(DOCUMENTS)('refuses %s as DIGEST_INVALID, quoting the value', (field, document) => {
    const bytes = Buffer.from(JSON.stringify(document));
    const digest = sha256Digest(bytes);

    const parsing = () => parseManifest(bytes, { digest });

    expect(parsing).toThrow(
      expect.objectContaining({
        code: 'DIGEST_INVALID',
        message: `manifest ${digest}: ${field}: not a valid sha256 or sha512 digest: "${BAD}"`,
        data: { digest },
      }),
    );
  });

  it('still refuses other malformed descriptors as MANIFEST_INVALID', () => {
    const document = {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [{ digest: GOOD }],
    };
    const bytes = Buffer.from(JSON.stringify(document));

    const parsing = () => parseManifest(bytes, { digest: sha256Digest(bytes) });

    expect(parsing).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID' }));
  });
});
