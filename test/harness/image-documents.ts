import { sha256Digest } from '../../src/content/digest';
import { MediaType } from '../../src/content/media-types';
import { BuiltLayer } from './build-layer';

export type ImageFormat = 'oci' | 'docker';

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

/** The config label that names the tag an image was generated for. */
export const TAG_LABEL = 'io.container-sync.test.tag';

/** A JSON document serialised once, so its digest and pushed bytes stay the same. */
export interface Document {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

/** Media types per format: OCI image-spec, or Docker image manifest v2 schema 2. */
const MEDIA_TYPES = {
  oci: {
    manifest: MediaType.ociManifest,
    index: MediaType.ociIndex,
    config: MediaType.ociConfig,
    layer: MediaType.ociLayer,
  },
  docker: {
    manifest: MediaType.dockerSchema2,
    index: MediaType.dockerManifestList,
    config: MediaType.dockerConfig,
    layer: MediaType.dockerLayer,
  },
} as const;

/** The platform in a fixed key order, so the caller's object literal cannot change a digest. */
function platformFields({ architecture, os, variant }: Platform): Platform {
  return variant === undefined ? { architecture, os } : { architecture, os, variant };
}

function toDocument(value: unknown, mediaType: string): Document {
  const bytes = Buffer.from(JSON.stringify(value));
  return { bytes, digest: sha256Digest(bytes), mediaType };
}

function descriptor(mediaType: string, digest: string, size: number) {
  return { mediaType, digest, size };
}

/** An image config (image-spec config.md) whose diff_ids match `layers` in order. */
export function buildConfig(
  format: ImageFormat,
  platform: Platform,
  tag: string,
  layers: BuiltLayer[],
): Document {
  const config = {
    created: '2020-01-01T00:00:00Z',
    ...platformFields(platform),
    config: { Labels: { [TAG_LABEL]: tag } },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
  };
  return toDocument(config, MEDIA_TYPES[format].config);
}

export function buildImageManifest(
  format: ImageFormat,
  config: Document,
  layers: BuiltLayer[],
): Document {
  const types = MEDIA_TYPES[format];
  const manifest = {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: descriptor(types.config, config.digest, config.bytes.length),
    layers: layers.map((layer) => descriptor(types.layer, layer.digest, layer.compressed.length)),
  };
  return toDocument(manifest, types.manifest);
}

/** An OCI index or Docker manifest list with one platform-qualified entry per child. */
export function buildIndex(
  format: ImageFormat,
  children: Array<{ manifest: Document; platform: Platform }>,
): Document {
  const types = MEDIA_TYPES[format];
  const index = {
    schemaVersion: 2,
    mediaType: types.index,
    manifests: children.map(({ manifest, platform }) => ({
      ...descriptor(manifest.mediaType, manifest.digest, manifest.bytes.length),
      platform: platformFields(platform),
    })),
  };
  return toDocument(index, types.index);
}
