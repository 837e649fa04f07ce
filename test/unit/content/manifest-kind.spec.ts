import { sha256Digest } from '../../../src/content/digest';
import { MediaType } from '../../../src/content/media-types';
import { parseManifest } from '../../../src/content/parse-manifest';

const digest = (n: number) => sha256Digest(String(n));
const blob = (mediaType: string, n: number) => ({ mediaType, digest: digest(n), size: n });

function manifest(fields: Record<string, unknown>, layers = [blob(MediaType.ociLayer, 2)]) {
  const document = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: blob(MediaType.ociConfig, 1),
    layers,
    ...fields,
  };
  const bytes = Buffer.from(JSON.stringify(document));
  return parseManifest(bytes, { digest: sha256Digest(bytes) });
}

describe('manifest kinds', () => {
  it('an OCI manifest with an image config is an image', () => {
    expect(manifest({}).kind).toBe('image');
  });

  it('a Helm chart is told by its config type', () => {
    const chart = manifest({ config: blob(MediaType.helmConfig, 1) }, [
      blob('application/vnd.cncf.helm.chart.content.v1.tar+gzip', 3),
    ]);

    expect(chart.kind).toBe('helm_chart');
  });

  it('a cosign signature is told by its simple-signing layer, even with an image config', () => {
    const signature = manifest({}, [blob(MediaType.cosignSimpleSigning, 3)]);

    expect(signature.kind).toBe('cosign_signature');
  });

  it('the empty config with an artifactType is an artifact', () => {
    const artifact = manifest({
      artifactType: 'application/example.sbom',
      config: blob(MediaType.ociEmpty, 2),
      subject: blob(MediaType.ociManifest, 9),
    });

    expect(artifact).toMatchObject({
      kind: 'artifact',
      artifactType: 'application/example.sbom',
      subject: { digest: digest(9) },
    });
  });

  it('an unknown config type without artifactType is an artifact', () => {
    expect(manifest({ config: blob('application/vnd.example.config+json', 1) }).kind).toBe(
      'artifact',
    );
  });

  it('a Docker schema 2 manifest with an application/octet-stream config is an image', () => {
    const legacy = manifest({
      mediaType: MediaType.dockerSchema2,
      config: blob('application/octet-stream', 1),
    });

    expect(legacy.kind).toBe('image');
  });

  it('an OCI manifest with an application/octet-stream config is an artifact', () => {
    expect(manifest({ config: blob('application/octet-stream', 1) }).kind).toBe('artifact');
  });

  it('names the field that fails its schema', () => {
    const badLayer = { mediaType: MediaType.ociLayer, digest: 'md5:x', size: 3 };
    const broken = () => manifest({ layers: [blob(MediaType.ociLayer, 2), badLayer] });

    // A bad digest has its own code (DIGEST_INVALID); the field is named all the same.
    expect(broken).toThrow(expect.objectContaining({ code: 'DIGEST_INVALID' }));
    expect(broken).toThrow(/layers\[1\]\.digest/);
  });

  it('refuses a mediaType that disagrees with the document', () => {
    expect(() => manifest({ mediaType: MediaType.ociIndex })).toThrow(/manifests/);
  });

  it('refuses an unknown mediaType as MANIFEST_UNKNOWN_TYPE', () => {
    expect(() => manifest({ mediaType: 'application/vnd.example.manifest+json' })).toThrow(
      expect.objectContaining({ code: 'MANIFEST_UNKNOWN_TYPE' }),
    );
  });
});
