/**
 * Layer types of the two image formats (image-spec/layer.md and media-types.md, distribution
 * docs/spec/manifest-v2-2.md). Artifacts may carry any layer type, but a type inside these two
 * namespaces that neither spec defines is a broken image, not an artifact: we cannot tell how to
 * unpack it, so the parser refuses it instead of storing a manifest nobody can use.
 */
const OCI_LAYER_PREFIX = 'application/vnd.oci.image.layer.';
const DOCKER_LAYER_PREFIX = 'application/vnd.docker.image.rootfs.';

const KNOWN_IMAGE_LAYER_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  // Deprecated by image-spec 1.1 but still found in registries.
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.zstd',
]);

/** False only for an undefined type in the image layer namespaces; artifact types pass. */
export function isAcceptableLayerType(mediaType: string): boolean {
  const namespaced =
    mediaType.startsWith(OCI_LAYER_PREFIX) || mediaType.startsWith(DOCKER_LAYER_PREFIX);
  return !namespaced || KNOWN_IMAGE_LAYER_TYPES.has(mediaType);
}
