import { SyncError, type ErrorData } from '../errors';
import { MANIFEST_MEDIA_TYPES, MediaType, bareMediaType } from './media-types';

/**
 * Which format a manifest document is. The document's own `mediaType` wins; then the
 * Content-Type it was served with, when that names a manifest type (not `application/json`);
 * then its shape, for formats where `mediaType` is optional (schema 1 never has one, OCI
 * documents SHOULD but need not: image-spec/manifest.md, image-index.md). Docker schema 2
 * requires the field, so a shape-only document is read as OCI.
 */
export function detectMediaType(
  document: Record<string, unknown>,
  contentType: string | undefined,
  where: ErrorData,
): string {
  const { schemaVersion, mediaType } = document;
  if (schemaVersion === undefined) {
    throw invalid('schemaVersion is missing', where);
  }
  if (schemaVersion !== 1 && schemaVersion !== 2) {
    throw unknownType(`schemaVersion ${JSON.stringify(schemaVersion)}`, where);
  }

  if (mediaType !== undefined) {
    if (typeof mediaType !== 'string') {
      throw invalid('mediaType is not a string', where);
    }
    if (!MANIFEST_MEDIA_TYPES.has(mediaType)) throw unknownType(`mediaType ${mediaType}`, where);
    return mediaType;
  }

  const served = bareMediaType(contentType);
  if (served && MANIFEST_MEDIA_TYPES.has(served)) return served;

  if (schemaVersion === 1) {
    return 'signatures' in document ? MediaType.dockerSchema1Signed : MediaType.dockerSchema1;
  }
  if (Array.isArray(document.manifests)) return MediaType.ociIndex;
  if ('config' in document && 'layers' in document) return MediaType.ociManifest;
  throw unknownType(
    'a schemaVersion 2 document with neither manifests nor config and layers',
    where,
  );
}

function unknownType(what: string, where: ErrorData): SyncError {
  return new SyncError(
    'MANIFEST_UNKNOWN_TYPE',
    `manifest ${where.digest}: unsupported ${what}`,
    where,
  );
}

function invalid(problem: string, where: ErrorData): SyncError {
  return new SyncError('MANIFEST_INVALID', `manifest ${where.digest}: ${problem}`, where);
}
