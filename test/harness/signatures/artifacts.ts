import { sha256Digest } from '../../../src/content/digest';
import { MediaType } from '../../../src/content/media-types';
import { pushBlob, pushManifest } from '../push';

/** The empty descriptor's content (image-spec manifest.md, "Guidance for an Empty Descriptor"). */
const EMPTY_JSON = Buffer.from('{}');

export interface Artifact {
  /** The manifest as pushed. */
  bytes: Buffer;
  digest: string;
  mediaType: string;
  /** Its one layer and the empty config, by digest. */
  blobs: Map<string, Buffer>;
  layer: string;
  config: string;
}

export interface ArtifactOptions {
  /** The layer's media type, e.g. `application/vnd.dsse.envelope.v1+json` for an attestation. */
  layerMediaType: string;
  content: string;
  artifactType?: string;
  /** The manifest this one is about; set as `subject` (image-spec manifest.md). */
  subject?: { mediaType: string; digest: string; size: number };
  layerAnnotations?: Record<string, string>;
}

/**
 * A small OCI artifact manifest: the empty config and one layer holding `content`. Cosign
 * writes attestations and SBOMs in this shape under `sha256-<hex>.att` and `.sbom`; with a
 * `subject` it is what the referrers API lists.
 */
export function buildArtifact(options: ArtifactOptions): Artifact {
  const layerBytes = Buffer.from(options.content);
  const layer = sha256Digest(layerBytes);
  const config = sha256Digest(EMPTY_JSON);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    ...(options.artifactType === undefined ? {} : { artifactType: options.artifactType }),
    config: { mediaType: MediaType.ociEmpty, digest: config, size: EMPTY_JSON.length },
    layers: [
      {
        mediaType: options.layerMediaType,
        digest: layer,
        size: layerBytes.length,
        ...(options.layerAnnotations ? { annotations: options.layerAnnotations } : {}),
      },
    ],
    ...(options.subject === undefined ? {} : { subject: options.subject }),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return {
    bytes,
    digest: sha256Digest(bytes),
    mediaType: MediaType.ociManifest,
    blobs: new Map([
      [config, EMPTY_JSON],
      [layer, layerBytes],
    ]),
    layer,
    config,
  };
}

/** A manifest and the blobs it names, ready to push. */
export type PushableManifest = Pick<Artifact, 'bytes' | 'digest' | 'mediaType' | 'blobs'>;

/** Pushes an artifact's blobs, then the manifest under `reference` (a tag, or its digest). */
export async function pushArtifact(
  registryUrl: string,
  repo: string,
  artifact: PushableManifest,
  reference: string = artifact.digest,
): Promise<void> {
  for (const [digest, bytes] of artifact.blobs) await pushBlob(registryUrl, repo, digest, bytes);
  await pushManifest(registryUrl, repo, reference, artifact.bytes, artifact.mediaType);
}

/** The tag cosign keeps a companion of manifest `sha256:<hex>` under: `sha256-<hex>.<suffix>`. */
export function companionTag(digest: string, suffix: 'sig' | 'att' | 'sbom'): string {
  return `${digest.replace(':', '-')}.${suffix}`;
}
