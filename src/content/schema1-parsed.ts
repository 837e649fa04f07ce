import type { z } from 'zod';
import type { ParsedManifest } from './manifest-types';
import { MediaType } from './media-types';
import { Schema1ManifestSchema } from './manifest-schemas';
import { schema1Payload } from './schema1';
import { checkSchema } from './schema-check';

/**
 * A schema 1 document in the common shape. fsLayers list the top layer first
 * (manifest-v2-1.md), so they are reversed to put the base first like every other format;
 * repeated blobSums are kept, since each stands for one layer of the image (empty layers of
 * Dockerfile steps share one digest).
 */
export function schema1Parsed(
  base: Pick<ParsedManifest, 'digest' | 'mediaType' | 'bytes'>,
  document: Record<string, unknown>,
  invalid: (problem: string, issue?: z.core.$ZodIssue) => Error,
): ParsedManifest {
  const manifest = checkSchema(Schema1ManifestSchema, document, invalid);
  if (manifest.signatures) {
    // Proves the signatures can be cut out again, the same way the digest was computed.
    schema1Payload(base.bytes, document, { digest: base.digest });
  }
  const os = osOfTopLayer(manifest.history[0]?.v1Compatibility);

  return {
    ...base,
    schemaVersion: 1,
    kind: 'image',
    annotations: {},
    layers: manifest.fsLayers
      .map((layer) => ({ mediaType: MediaType.dockerLayer, digest: layer.blobSum }))
      .reverse(),
    manifests: [],
    architecture: manifest.architecture,
    ...(os !== undefined && { os }),
  };
}

/**
 * Schema 1 names no OS at the top level; the top layer's v1 image JSON (history[0]) carries it.
 * It is a hint only, so a history entry that is not JSON leaves the OS unknown.
 */
function osOfTopLayer(v1Compatibility: string | undefined): string | undefined {
  if (v1Compatibility === undefined) return undefined;
  try {
    const image: unknown = JSON.parse(v1Compatibility);
    const os = (image as { os?: unknown } | null)?.os;
    return typeof os === 'string' ? os : undefined;
  } catch {
    return undefined;
  }
}
