import { LIST_MEDIA_TYPES } from '../../../src/content/media-types';
import type { GeneratedRepository } from '../image-generator';
import { pushBlob, pushManifest } from '../push';
import { closeRegistryHttp, createRegistryHttp } from '../registry-http';

/**
 * Pushes a generated repository to a registry that wants credentials, with `authorization` on
 * every request: blobs, then image manifests, then indexes, tags last. One request at a time;
 * the repositories pushed here are a few tags.
 */
export async function pushGeneratedWithAuth(
  registryUrl: string,
  repo: string,
  generated: GeneratedRepository,
  authorization: string,
): Promise<void> {
  const http = createRegistryHttp({ keepAlive: true });
  http.defaults.headers.common['Authorization'] = authorization;
  const options = { http };
  const tagged = new Map(Object.entries(generated.tags).map(([tag, digest]) => [digest, tag]));
  const manifests = [...generated.manifests].sort(
    ([, a], [, b]) =>
      Number(LIST_MEDIA_TYPES.has(a.mediaType)) - Number(LIST_MEDIA_TYPES.has(b.mediaType)),
  );

  try {
    for (const [digest, bytes] of generated.blobs) {
      await pushBlob(registryUrl, repo, digest, bytes, options);
    }
    for (const [digest, { bytes, mediaType }] of manifests) {
      const reference = tagged.get(digest) ?? digest;
      await pushManifest(registryUrl, repo, reference, bytes, mediaType, options);
    }
  } finally {
    closeRegistryHttp(http);
  }
}

/** `Basic <base64>` for a username and password. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
