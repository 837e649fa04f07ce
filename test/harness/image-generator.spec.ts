import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { sha256Digest } from '../../src/content/digest';
import { MediaType } from '../../src/content/media-types';
import { GeneratedRepository, TAG_LABEL, generateRepository } from './image-generator';

interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  config: { Labels: Record<string, string> };
  rootfs: { diff_ids: string[] };
}
interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
}
interface ImageManifest {
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}
interface Index {
  mediaType: string;
  manifests: Descriptor[];
}

const PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm', os: 'linux', variant: 'v7' },
];
const PLATFORM_KEYS = ['linux/amd64', 'linux/arm/v7'];

function json<T>(bytes: Buffer | undefined, digest: string | undefined): T {
  if (bytes === undefined) throw new Error(`${digest} was not generated`);
  return JSON.parse(bytes.toString('utf8')) as T;
}
const manifestOf = <T>(generated: GeneratedRepository, digest: string | undefined) =>
  json<T>(generated.manifests.get(digest ?? '')?.bytes, digest);
const blobOf = <T>(generated: GeneratedRepository, digest: string) =>
  json<T>(generated.blobs.get(digest), digest);

/** Entry name to content, read back with tar-stream's extractor. */
async function readTar(tar: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const extractor = extract();
  extractor.end(tar);
  for await (const entry of extractor) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    files.set(entry.header.name, Buffer.concat(chunks).toString('latin1'));
  }
  return files;
}

describe('generateRepository', () => {
  it('gives byte-identical output for the same options', async () => {
    const options = { tags: 3, platforms: PLATFORMS, seed: 'same' };

    const first = await generateRepository(options);
    const second = await generateRepository(options);

    expect(second.tags).toEqual(first.tags);
    expect([...second.blobs.keys()]).toEqual([...first.blobs.keys()]);
    expect([...second.manifests.keys()]).toEqual([...first.manifests.keys()]);
    for (const [digest, manifest] of first.manifests) {
      expect(second.manifests.get(digest)?.bytes.equals(manifest.bytes)).toBe(true);
    }
  });

  it('gives other digests for another seed', async () => {
    const options = { tags: ['v1'], seed: 'one' };

    const one = await generateRepository(options);
    const other = await generateRepository({ ...options, seed: 'other' });

    expect(other.tags.v1).not.toBe(one.tags.v1);
  });

  it('names tags t0001... and points each at an OCI index of its platforms', async () => {
    const generated = await generateRepository({ tags: 2, platforms: PLATFORMS, seed: 'oci' });

    const index = manifestOf<Index>(generated, generated.tags.t0002);

    expect(Object.keys(generated.tags)).toEqual(['t0001', 't0002']);
    expect(index.mediaType).toBe(MediaType.ociIndex);
    expect(index.manifests.map((child) => child.digest)).toEqual(generated.children.t0002);
    expect(index.manifests.map((child) => child.platform)).toEqual(PLATFORMS);
    expect(index.manifests.map((child) => child.mediaType)).toEqual([
      MediaType.ociManifest,
      MediaType.ociManifest,
    ]);
  });

  it('uses Docker media types, and a manifest list for one platform when asked', async () => {
    const generated = await generateRepository({
      tags: ['latest'],
      format: 'docker',
      index: true,
      seed: 'docker',
    });
    const listDigest = generated.tags.latest as string;
    const childDigest = generated.children.latest?.[0] as string;

    const list = manifestOf<Index>(generated, listDigest);
    const image = manifestOf<ImageManifest>(generated, childDigest);

    expect(generated.manifests.get(listDigest)?.mediaType).toBe(MediaType.dockerManifestList);
    expect(list.manifests).toHaveLength(1);
    expect(image.mediaType).toBe(MediaType.dockerSchema2);
    expect(image.config.mediaType).toBe(MediaType.dockerConfig);
    expect(image.layers.map((layer) => layer.mediaType)).toEqual([
      MediaType.dockerLayer,
      MediaType.dockerLayer,
      MediaType.dockerLayer,
    ]);
  });

  it('tags the image manifest itself for one platform without index', async () => {
    const generated = await generateRepository({ tags: ['solo'], seed: 'solo' });

    const digest = generated.tags.solo as string;

    expect(generated.manifests.get(digest)?.mediaType).toBe(MediaType.ociManifest);
    expect(generated.children.solo).toEqual([digest]);
  });

  it('builds gzip tar layers whose uncompressed sha256 are the config diff_ids', async () => {
    const generated = await generateRepository({ tags: ['v1'], platforms: PLATFORMS, seed: 'fs' });

    for (const [i, digest] of (generated.children.v1 ?? []).entries()) {
      const manifest = manifestOf<ImageManifest>(generated, digest);
      const config = blobOf<ImageConfig>(generated, manifest.config.digest);
      const layers = manifest.layers.map((layer) => generated.blobs.get(layer.digest) as Buffer);
      const tars = layers.map((layer) => gunzipSync(layer));
      const [baseFiles, sharedFiles, ownFiles] = await Promise.all(tars.map(readTar));
      const platformKey = PLATFORM_KEYS[i] as string;
      const baseFile = baseFiles?.get('etc/container-sync/platform');

      expect(config).toMatchObject({ ...PLATFORMS[i], config: { Labels: { [TAG_LABEL]: 'v1' } } });
      expect(manifest.layers.map((layer) => layer.digest)).toEqual(layers.map(sha256Digest));
      expect(manifest.layers.map((layer) => layer.size)).toEqual(layers.map((l) => l.length));
      expect(config.rootfs.diff_ids).toEqual(tars.map(sha256Digest));
      expect(baseFile?.slice(0, platformKey.length + 1)).toBe(`${platformKey}\n`);
      expect(baseFile).toHaveLength(platformKey.length + 1 + 1024);
      expect(sharedFiles?.get('etc/container-sync/shared')).toBe('shared by all of fs\n');
      expect(ownFiles?.get('etc/container-sync/tag')).toBe(`v1 ${platformKey}\n`);
      expect([...(ownFiles?.keys() ?? [])]).toEqual([
        'etc/',
        'etc/container-sync/',
        'etc/container-sync/tag',
      ]);
    }
  });

  it('shares the base layer per platform and one layer across every platform', async () => {
    const generated = await generateRepository({ tags: 2, platforms: PLATFORMS, seed: 'share' });
    const layersOf = (tag: string, platform: number) =>
      manifestOf<ImageManifest>(generated, generated.children[tag]?.[platform]).layers.map(
        (layer) => layer.digest,
      );

    const [amd64One, amd64Two, armOne] = [
      layersOf('t0001', 0),
      layersOf('t0002', 0),
      layersOf('t0001', 1),
    ];

    expect(amd64Two[0]).toBe(amd64One[0]);
    expect(armOne[0]).not.toBe(amd64One[0]);
    expect(armOne[1]).toBe(amd64One[1]);
    expect(new Set([amd64One[2], amd64Two[2], armOne[2]]).size).toBe(3);
    expect(generated.blobs.size).toBe(1 + 2 + 4 * 2);
  });

  it('pads each tag layer with uniqueLayerBytes of incompressible data', async () => {
    const generated = await generateRepository({ tags: 1, seed: 'big', uniqueLayerBytes: 64_000 });

    const manifest = manifestOf<ImageManifest>(generated, generated.tags.t0001);

    expect(manifest.layers[2]?.size).toBeGreaterThan(64_000);
  });
});
