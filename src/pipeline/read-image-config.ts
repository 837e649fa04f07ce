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
 * read: their content is not an image config. An image config that is not a JSON object fails
 * the manifest as IMAGE_CONFIG_INVALID: no runtime could start the image.
 */
export async function readImageConfig(
  store: BlobStore,
  parsed: ParsedManifest,
  configBlob: BlobDc,
): Promise<NonNullable<ManifestDc['config']>> {
  if (!IMAGE_CONFIG_TYPES.has(configBlob.descriptor.mediaType)) return { labels: {} };
  const { digest } = configBlob.descriptor;
  const invalid = (problem: string, cause?: unknown) =>
    new SyncError(
      'IMAGE_CONFIG_INVALID',
      `image config ${digest} of manifest ${parsed.digest} is ${problem}`,
      { digest, manifest: parsed.digest },
      { cause },
    );
  // Just downloaded: the bytes were verified on the way in. Otherwise, read back and checked.
  const bytes = configBlob.configBytes ?? (await store.read(digest));
  configBlob.configBytes = undefined;
  let config: unknown;
  try {
    config = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw invalid('not JSON', err);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw invalid('not a JSON object');
  }
  const doc = config as {
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
