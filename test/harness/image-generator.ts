import { BuiltLayer, buildLayer } from './build-layer';
import { deterministicBytes } from './deterministic-bytes';
import {
  Document,
  ImageFormat,
  Platform,
  buildConfig,
  buildImageManifest,
  buildIndex,
} from './image-documents';

export { ImageFormat, Platform, TAG_LABEL } from './image-documents';

export interface GenerateOptions {
  /** Tag names, or a count that becomes `t0001`, `t0002`, ... */
  tags: string[] | number;
  platforms?: Platform[];
  format?: ImageFormat;
  /** Wrap the platforms in an index (manifest list) even when there is only one. */
  index?: boolean;
  /** Everything generated derives from it: two repositories with one seed share every blob. */
  seed: string;
  /** Extra deterministic bytes in each tag's own layer (default 0: a few hundred bytes). */
  uniqueLayerBytes?: number;
}

export interface GeneratedRepository {
  /** Config and layer blobs by digest. */
  blobs: Map<string, Buffer>;
  /** Every manifest and index by digest, with the media type to push it with. */
  manifests: Map<string, { bytes: Buffer; mediaType: string }>;
  /** Tag to the digest it names: an index, or the image manifest when there is no index. */
  tags: Record<string, string>;
  /** Tag to its per-platform image manifests, in `platforms` order. */
  children: Record<string, string[]>;
}

const DEFAULT_PLATFORMS: Platform[] = [{ architecture: 'amd64', os: 'linux' }];

/** How many tags are built at once: enough to overlap tar-stream's ticks, bounded for memory. */
const TAG_BATCH = 64;

function tagNames(tags: string[] | number): string[] {
  if (Array.isArray(tags)) return tags;
  return Array.from({ length: tags }, (_, i) => `t${String(i + 1).padStart(4, '0')}`);
}

function platformKey({ os, architecture, variant }: Platform): string {
  return [os, architecture, variant].filter((part) => part !== undefined).join('/');
}

function textFile(path: string, text: string, extra: Buffer = Buffer.alloc(0)) {
  return { path, content: Buffer.concat([Buffer.from(text), extra]) };
}

/**
 * Builds a repository of real images, deterministically: the same options give byte-identical
 * blobs and manifests, because every input is derived from `seed` and nothing reads the clock.
 * Each image has three layers: one per platform (shared by every tag of that platform), one
 * shared by every tag of every platform, and a small one of its own. The shared layers are
 * built once and reused, which keeps thousands of tags fast.
 */
export async function generateRepository(options: GenerateOptions): Promise<GeneratedRepository> {
  const { seed, format = 'oci' } = options;
  const platforms = options.platforms ?? DEFAULT_PLATFORMS;
  if (platforms.length === 0) throw new Error('generateRepository needs at least one platform');
  const useIndex = options.index === true || platforms.length > 1;
  const uniqueBytes = options.uniqueLayerBytes ?? 0;
  const generated: GeneratedRepository = {
    blobs: new Map(),
    manifests: new Map(),
    tags: {},
    children: {},
  };

  const addLayer = (layer: BuiltLayer) => generated.blobs.set(layer.digest, layer.compressed);
  const addManifest = (document: Document) =>
    generated.manifests.set(document.digest, {
      bytes: document.bytes,
      mediaType: document.mediaType,
    });

  // Shared layers first: built once, referenced by every tag.
  const sharedLayer = await buildLayer([
    textFile('etc/container-sync/shared', `shared by all of ${seed}\n`),
  ]);
  addLayer(sharedLayer);
  const baseLayers = await Promise.all(
    platforms.map((platform) =>
      buildLayer([
        textFile(
          'etc/container-sync/platform',
          `${platformKey(platform)}\n`,
          deterministicBytes(`${seed}/base/${platformKey(platform)}`, 1024),
        ),
      ]),
    ),
  );
  baseLayers.forEach(addLayer);

  const buildImage = async (tag: string, platform: Platform, baseLayer: BuiltLayer) => {
    const key = platformKey(platform);
    const ownLayer = await buildLayer([
      textFile(
        'etc/container-sync/tag',
        `${tag} ${key}\n`,
        deterministicBytes(`${seed}/tag/${tag}/${key}`, uniqueBytes),
      ),
    ]);
    const layers = [baseLayer, sharedLayer, ownLayer];
    const config = buildConfig(format, platform, tag, layers);
    return { layers, config, manifest: buildImageManifest(format, config, layers), platform };
  };

  const buildTag = async (tag: string) => {
    const images = await Promise.all(
      platforms.map((platform, i) => buildImage(tag, platform, baseLayers[i] as BuiltLayer)),
    );
    const single = images[0]?.manifest as Document;
    return { tag, images, top: useIndex ? buildIndex(format, images) : single };
  };

  // Tags of a batch are built concurrently but recorded in order, so the maps' insertion order
  // (and with it the push order) is the same on every run.
  const names = tagNames(options.tags);
  for (let start = 0; start < names.length; start += TAG_BATCH) {
    const built = await Promise.all(names.slice(start, start + TAG_BATCH).map(buildTag));
    for (const { tag, images, top } of built) {
      for (const image of images) {
        image.layers.forEach(addLayer);
        generated.blobs.set(image.config.digest, image.config.bytes);
        addManifest(image.manifest);
      }
      generated.children[tag] = images.map((image) => image.manifest.digest);
      addManifest(top);
      generated.tags[tag] = top.digest;
    }
  }
  return generated;
}
