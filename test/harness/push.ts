import { LIST_MEDIA_TYPES } from '../../src/content/media-types';
import { forEachConcurrent } from './for-each-concurrent';
import { GeneratedRepository } from './image-generator';
import { WithHttp, closeRegistryHttp, createRegistryHttp, expectStatus } from './registry-http';

export { writeOciLayout } from './write-oci-layout';

/** Stateless and without keep-alive, so a one-off push leaves no sockets open. */
const defaultHttp = createRegistryHttp();

export type PushOptions = WithHttp;

/**
 * Uploads one blob unless the repository has it: HEAD, then a POST to open an upload and a PUT
 * of the whole body with `?digest=` (distribution spec, "Pushing a blob in chunks" with one
 * chunk). Resolves true when it uploaded, false when the blob was there already.
 */
export async function pushBlob(
  registryUrl: string,
  repo: string,
  digest: string,
  bytes: Buffer,
  { http = defaultHttp }: PushOptions = {},
): Promise<boolean> {
  const action = `push blob ${digest} to ${repo}`;
  const head = await http.head(`${registryUrl}/v2/${repo}/blobs/${digest}`);
  if (head.status === 200) return false;
  expectStatus(head, [404], action);

  const opened = await http.post(`${registryUrl}/v2/${repo}/blobs/uploads/`);
  expectStatus(opened, [202], action);
  const location = new URL(String(opened.headers.location), registryUrl);
  location.searchParams.set('digest', digest);

  const put = await http.put(location.toString(), bytes, {
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  expectStatus(put, [201], action);
  return true;
}

/** PUTs a manifest under a tag or digest; resolves with the registry's Docker-Content-Digest. */
export async function pushManifest(
  registryUrl: string,
  repo: string,
  reference: string,
  bytes: Buffer,
  mediaType: string,
  { http = defaultHttp }: PushOptions = {},
): Promise<string> {
  const response = await http.put(`${registryUrl}/v2/${repo}/manifests/${reference}`, bytes, {
    headers: { 'Content-Type': mediaType },
  });
  expectStatus(response, [201], `push manifest ${repo}:${reference}`);
  return String(response.headers['docker-content-digest']);
}

/** Deletes a manifest by digest (the registry refuses DELETE by tag); every tag on it goes. */
export async function deleteManifest(
  registryUrl: string,
  repo: string,
  digest: string,
  { http = defaultHttp }: PushOptions = {},
): Promise<void> {
  const response = await http.delete(`${registryUrl}/v2/${repo}/manifests/${digest}`);
  expectStatus(response, [202], `delete manifest ${repo}@${digest}`);
}

/**
 * Deletes a blob from a repository by digest; the registry then answers 404 to its GET, while
 * manifests that name it stay (how a broken upstream is built: push whole, then delete).
 */
export async function deleteBlob(
  registryUrl: string,
  repo: string,
  digest: string,
  { http = defaultHttp }: PushOptions = {},
): Promise<void> {
  const response = await http.delete(`${registryUrl}/v2/${repo}/blobs/${digest}`);
  expectStatus(response, [202], `delete blob ${repo}@${digest}`);
}

export interface PushGeneratedOptions {
  concurrency?: number;
}

/**
 * Pushes a generated repository, children before parents as the registry requires: blobs, then
 * image manifests, then indexes. A manifest no tag names is pushed by digest; one a tag names is
 * pushed once, by that tag (a PUT by tag stores the manifest and sets the tag in one request),
 * so a 5,000-tag repository costs one manifest PUT per tag, not two.
 */
export async function pushGenerated(
  registryUrl: string,
  repo: string,
  generated: GeneratedRepository,
  { concurrency = 8 }: PushGeneratedOptions = {},
): Promise<void> {
  const http = createRegistryHttp({ keepAlive: true });
  const options = { http };
  const tagged = new Set(Object.values(generated.tags));
  const manifests = [...generated.manifests];
  const isList = ([, manifest]: (typeof manifests)[number]) =>
    LIST_MEDIA_TYPES.has(manifest.mediaType);
  const tags = Object.entries(generated.tags);
  const isListTag = ([, digest]: [string, string]) =>
    LIST_MEDIA_TYPES.has(generated.manifests.get(digest)?.mediaType ?? '');

  const pushByDigest = (entries: typeof manifests) =>
    forEachConcurrent(entries, concurrency, ([digest, { bytes, mediaType }]) =>
      pushManifest(registryUrl, repo, digest, bytes, mediaType, options),
    );
  const pushTags = (entries: typeof tags) =>
    forEachConcurrent(entries, concurrency, ([tag, digest]) => {
      const manifest = generated.manifests.get(digest);
      if (manifest === undefined) throw new Error(`tag ${tag} names unknown manifest ${digest}`);
      return pushManifest(registryUrl, repo, tag, manifest.bytes, manifest.mediaType, options);
    });

  try {
    await forEachConcurrent(generated.blobs, concurrency, ([digest, bytes]) =>
      pushBlob(registryUrl, repo, digest, bytes, options),
    );
    const untagged = manifests.filter(([digest]) => !tagged.has(digest));
    await pushByDigest(untagged.filter((entry) => !isList(entry)));
    await pushTags(tags.filter((entry) => !isListTag(entry)));
    await pushByDigest(untagged.filter(isList));
    await pushTags(tags.filter(isListTag));
  } finally {
    closeRegistryHttp(http);
  }
}
