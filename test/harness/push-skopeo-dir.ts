import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MediaType } from '../../src/content/media-types';
import { PushOptions, pushBlob, pushManifest } from './push';

/** The fields of a schema 1 or schema 2 manifest that name blobs. */
const manifestSchema = z.object({
  schemaVersion: z.number(),
  mediaType: z.string().optional(),
  signatures: z.array(z.unknown()).optional(),
  config: z.object({ digest: z.string() }).optional(),
  layers: z.array(z.object({ digest: z.string() })).optional(),
  fsLayers: z.array(z.object({ blobSum: z.string() })).optional(),
});
type DirManifest = z.infer<typeof manifestSchema>;

/** Schema 1 has no `mediaType` field; whether it carries a JWS decides its type. */
function mediaTypeOf(manifest: DirManifest, dir: string): string {
  if (manifest.mediaType !== undefined) return manifest.mediaType;
  if (manifest.schemaVersion === 1) {
    return manifest.signatures ? MediaType.dockerSchema1Signed : MediaType.dockerSchema1;
  }
  throw new Error(`${dir}/manifest.json: schema ${manifest.schemaVersion} without mediaType`);
}

function blobDigests(manifest: DirManifest): string[] {
  const digests = [
    ...(manifest.config ? [manifest.config.digest] : []),
    ...(manifest.layers ?? []).map((layer) => layer.digest),
    ...(manifest.fsLayers ?? []).map((layer) => layer.blobSum),
  ];
  return [...new Set(digests)];
}

/**
 * Pushes a `skopeo copy dir:` directory (manifest.json plus blobs named by hex digest) under
 * `tag`. The manifest goes up as its exact bytes: a schema 1 JWS must keep its signatures.
 * Resolves with the registry's Docker-Content-Digest.
 */
export async function pushSkopeoDir(
  registryUrl: string,
  repo: string,
  dir: string,
  tag: string,
  options: PushOptions = {},
): Promise<string> {
  const bytes = await readFile(join(dir, 'manifest.json'));
  const manifest = manifestSchema.parse(JSON.parse(bytes.toString('utf8')));

  for (const digest of blobDigests(manifest)) {
    const blob = await readFile(join(dir, digest.replace(/^sha256:/, '')));
    await pushBlob(registryUrl, repo, digest, blob, options);
  }
  return pushManifest(registryUrl, repo, tag, bytes, mediaTypeOf(manifest, dir), options);
}
