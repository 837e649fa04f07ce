import type { GeneratedRepository } from '../image-generator';
import { pushBlob, pushManifest } from '../push';
import type { TestCerts } from './make-certs';
import { closeHttpsRegistryHttp, createHttpsRegistryHttp } from './https-registry-http';

/**
 * Pushes a generated repository without an index (each tag names an image manifest) to a TLS
 * test registry: blobs first, then one manifest PUT per tag.
 */
export async function pushOverHttps(
  registryUrl: string,
  repo: string,
  generated: GeneratedRepository,
  certs: TestCerts,
): Promise<void> {
  const http = createHttpsRegistryHttp(certs);
  try {
    for (const [digest, bytes] of generated.blobs) {
      await pushBlob(registryUrl, repo, digest, bytes, { http });
    }
    for (const [tag, digest] of Object.entries(generated.tags)) {
      const manifest = generated.manifests.get(digest);
      if (manifest === undefined) throw new Error(`tag ${tag} names unknown manifest ${digest}`);
      await pushManifest(registryUrl, repo, tag, manifest.bytes, manifest.mediaType, { http });
    }
  } finally {
    closeHttpsRegistryHttp(http);
  }
}
