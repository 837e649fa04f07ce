import type { ManifestKind } from './manifest-types';
import { IMAGE_CONFIG_MEDIA_TYPES, MediaType } from './media-types';

interface ImageLikeManifest {
  mediaType: string;
  artifactType?: string;
  config: { mediaType: string };
  layers: ReadonlyArray<{ mediaType: string }>;
}

/**
 * What a single-platform manifest holds, from its config and layer types. Helm and cosign are
 * told apart first because both also look like artifacts (image-spec/manifest.md, "Guidelines
 * for Artifact Usage"); anything with an `artifactType` or a config that is not an image config
 * is an artifact, the empty config (`application/vnd.oci.empty.v1+json`) included.
 */
export function imageManifestKind(manifest: ImageLikeManifest): ManifestKind {
  const configType = manifest.config.mediaType;
  if (configType === MediaType.helmConfig) return 'helm_chart';
  if (manifest.layers.some((layer) => layer.mediaType === MediaType.cosignSimpleSigning)) {
    return 'cosign_signature';
  }
  if (manifest.artifactType !== undefined) return 'artifact';
  if (IMAGE_CONFIG_MEDIA_TYPES.has(configType)) return 'image';
  return isLegacyDockerImage(manifest) ? 'image' : 'artifact';
}

/**
 * Some early Docker schema 2 writers labelled the image config
 * `application/octet-stream`; Docker schema 2 has no artifacts, so such a manifest is an image.
 */
function isLegacyDockerImage(manifest: ImageLikeManifest): boolean {
  return (
    manifest.mediaType === MediaType.dockerSchema2 &&
    manifest.config.mediaType === 'application/octet-stream'
  );
}
