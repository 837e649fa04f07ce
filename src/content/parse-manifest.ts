import type { z } from 'zod';
import { SyncError, type ErrorData } from '../errors';
import type { Digest } from './digest';
import { isDigestIssue, toDescriptor } from './descriptor-schema';
import { isAcceptableLayerType } from './layer-media-types';
import { imageManifestKind } from './manifest-kind';
import { detectMediaType } from './manifest-media-type';
import {
  DockerManifestListSchema,
  DockerManifestSchema,
  OciIndexSchema,
  OciManifestSchema,
  type ImageManifest,
  type ManifestIndex,
} from './manifest-schemas';
import type { ParsedManifest } from './manifest-types';
import { MediaType } from './media-types';
import { schema1Parsed } from './schema1-parsed';
import { checkSchema } from './schema-check';

export interface ManifestHints {
  /** The digest the bytes were checked against on fetch; the parser does not hash again. */
  digest: Digest;
  /** The Content-Type the manifest was served with, used when the document names no type. */
  contentType?: string;
}

/**
 * Reads a manifest of any supported format into one shape. Throws MANIFEST_INVALID for bytes that
 * are not a well-formed document of their format, MANIFEST_UNKNOWN_TYPE for formats we do not
 * know; both name the digest.
 */
export function parseManifest(bytes: Buffer, hints: ManifestHints): ParsedManifest {
  const where: ErrorData = { digest: hints.digest };
  // A descriptor naming a bad digest is refused with its own code: it is what a hostile document
  // would use to reach a path or URL, and the message quotes the value.
  const invalid = (problem: string, issue?: z.core.$ZodIssue) =>
    new SyncError(
      isDigestIssue(issue) ? 'DIGEST_INVALID' : 'MANIFEST_INVALID',
      `manifest ${hints.digest}: ${problem}`,
      where,
    );

  const document = parseJsonObject(bytes, invalid);
  const mediaType = detectMediaType(document, hints.contentType, where);
  const base = { digest: hints.digest, mediaType, bytes };

  switch (mediaType) {
    case MediaType.dockerSchema1:
    case MediaType.dockerSchema1Signed:
      return schema1Parsed(base, document, invalid);
    case MediaType.dockerSchema2:
      return fromImageManifest(base, checkSchema(DockerManifestSchema, document, invalid), invalid);
    case MediaType.ociManifest:
      return fromImageManifest(base, checkSchema(OciManifestSchema, document, invalid), invalid);
    case MediaType.dockerManifestList:
      return fromIndex(base, checkSchema(DockerManifestListSchema, document, invalid));
    case MediaType.ociIndex:
      return fromIndex(base, checkSchema(OciIndexSchema, document, invalid));
    default:
      // detectMediaType returns only the types above; this guards a type added there alone.
      throw new SyncError('MANIFEST_UNKNOWN_TYPE', `manifest ${hints.digest}: ${mediaType}`, where);
  }
}

type Base = Pick<ParsedManifest, 'digest' | 'mediaType' | 'bytes'>;

function parseJsonObject(bytes: Buffer, invalid: (problem: string) => Error) {
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw invalid('not a JSON object');
  }
  return document as Record<string, unknown>;
}

function fromImageManifest(
  base: Base,
  manifest: ImageManifest,
  invalid: (problem: string) => Error,
): ParsedManifest {
  const layers = manifest.layers ?? [];
  layers.forEach((layer, i) => {
    if (!isAcceptableLayerType(layer.mediaType)) {
      throw invalid(`layers[${i}].mediaType: ${layer.mediaType} is not a layer type of its spec`);
    }
  });
  const artifactType = 'artifactType' in manifest ? manifest.artifactType : undefined;
  const subject = 'subject' in manifest ? manifest.subject : undefined;
  const { config } = manifest;

  return {
    ...base,
    schemaVersion: 2,
    kind: imageManifestKind({ mediaType: base.mediaType, artifactType, config, layers }),
    annotations: manifest.annotations ?? {},
    // An empty digest (OCI laxity above) names no blob, so there is no config to fetch.
    config: config.digest === '' ? undefined : toDescriptor({ ...config, digest: config.digest }),
    layers: layers.map(toDescriptor),
    manifests: [],
    ...(subject && { subject: toDescriptor(subject) }),
    ...(artifactType !== undefined && { artifactType }),
  };
}

function fromIndex(base: Base, index: ManifestIndex): ParsedManifest {
  const artifactType = 'artifactType' in index ? index.artifactType : undefined;
  const subject = 'subject' in index ? index.subject : undefined;
  return {
    ...base,
    schemaVersion: 2,
    kind: 'index',
    annotations: index.annotations ?? {},
    layers: [],
    manifests: index.manifests.map(toDescriptor),
    ...(subject && { subject: toDescriptor(subject) }),
    ...(artifactType !== undefined && { artifactType }),
  };
}
