import { readFile } from 'node:fs/promises';
import { forEachConcurrent } from './for-each-concurrent';
import { PushOptions, pushBlob, pushManifest } from './push';
import { OciLayoutContent, layoutBlobPath, readOciLayout } from './read-oci-layout';

export interface PushOciLayoutOptions extends PushOptions {
  /** The tag for index.json's one entry without a `ref.name` (oc-mirror layouts have none). */
  defaultTag?: string;
  concurrency?: number;
}

/**
 * Pushes an OCI image layout over the registry API: blobs, then every manifest by digest,
 * children first, then each tag. Entries without a name stay untagged, reachable by digest.
 * Used instead of `skopeo copy`, which refuses nested indexes, indexes whose entries carry
 * `artifactType`, and layouts with several untagged images.
 */
export async function pushOciLayout(
  registryUrl: string,
  repo: string,
  dir: string,
  options: PushOciLayoutOptions = {},
): Promise<OciLayoutContent> {
  const layout = await readOciLayout(dir);
  const unnamed = layout.refs.filter((ref) => ref.name === undefined);
  if (options.defaultTag !== undefined && unnamed.length !== 1) {
    throw new Error(`${dir}: defaultTag needs exactly one unnamed entry, found ${unnamed.length}`);
  }

  await forEachConcurrent(layout.blobs, options.concurrency ?? 4, async (digest) =>
    pushBlob(registryUrl, repo, digest, await readFile(layoutBlobPath(dir, digest)), options),
  );

  // One at a time: the order is what makes every child exist before its parent.
  for (const { digest, bytes, mediaType } of layout.manifests) {
    await pushManifest(registryUrl, repo, digest, bytes, mediaType, options);
  }

  const byDigest = new Map(layout.manifests.map((manifest) => [manifest.digest, manifest]));
  for (const ref of layout.refs) {
    const tag = ref.name ?? options.defaultTag;
    const manifest = byDigest.get(ref.digest);
    if (tag === undefined || manifest === undefined) continue;
    await pushManifest(registryUrl, repo, tag, manifest.bytes, manifest.mediaType, options);
  }
  return layout;
}
