import type { ParsedManifest } from '../content/manifest-types';
import { MediaType } from '../content/media-types';
import { SyncError } from '../errors';
import type { BlobStore } from '../storage/blob-store';
import type { BlobDc, ManifestDc } from './declarative-content';

const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set([
  MediaType.ociConfig,
  MediaType.dockerConfig,
]);

/**
 * Reads labels, architecture and os from an image's config blob (image-spec/config.md). Configs
 * of other types (artifacts, helm charts, `application/octet-stream`) are kept as blobs but not
 * read: their content is not an image config.
 */
export async function readImageConfig(
  store: BlobStore,
  parsed: ParsedManifest,
  configBlob: BlobDc,
): Promise<NonNullable<ManifestDc['config']>> {
  if (!IMAGE_CONFIG_TYPES.has(configBlob.descriptor.mediaType)) return { labels: {} };
  const bytes = await store.read(configBlob.descriptor.digest);
  let config: unknown;
  try {
    config = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new SyncError(
      'BLOB_INVALID',
      'image config blob is not JSON',
      {
        digest: configBlob.descriptor.digest,
        reference: parsed.digest,
      },
      { cause: err },
    );
  }
  const doc = (typeof config === 'object' && config !== null ? config : {}) as {
    architecture?: unknown;
    os?: unknown;
    config?: { Labels?: unknown } | null;
  };
  return {
    labels: stringRecord(doc.config?.Labels),
    architecture: typeof doc.architecture === 'string' ? doc.architecture : undefined,
    os: typeof doc.os === 'string' ? doc.os : undefined,
  };
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}
