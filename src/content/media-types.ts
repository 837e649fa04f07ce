/**
 * Media types of the Docker Registry HTTP API v2 and the OCI image spec
 * (image-spec/media-types.md, distribution-spec). Names follow the documents they come from.
 */
export const MediaType = {
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerSchema2: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  cosignSimpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
} as const;

/** Every manifest type we can read, in the Accept header of manifest HEAD and GET requests. */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerSchema2,
  MediaType.dockerSchema1Signed,
  MediaType.dockerSchema1,
];

export const LIST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaType.ociIndex,
  MediaType.dockerManifestList,
]);

export const SCHEMA1_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaType.dockerSchema1,
  MediaType.dockerSchema1Signed,
]);

/** Strips parameters (`; charset=utf-8`) and case from a Content-Type header value. */
export function bareMediaType(contentType: string | undefined): string | undefined {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  return bare || undefined;
}

/** Every manifest type: tells a manifest Content-Type from `application/json` and the like. */
export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set(MANIFEST_ACCEPT);

/**
 * Config types that make a manifest an image rather than an artifact (image-spec/config.md,
 * distribution docs/spec/manifest-v2-2.md).
 */
export const IMAGE_CONFIG_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaType.ociConfig,
  MediaType.dockerConfig,
]);
