import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256Digest } from '../../src/content/digest';
import { REF_NAME_ANNOTATION } from './write-oci-layout';

/** A content descriptor (image-spec descriptor.md), only the fields a push needs. */
const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
  size: z.number(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
type Descriptor = z.infer<typeof descriptorSchema>;

/** index.json of an image layout (image-spec image-layout.md). */
const layoutIndexSchema = z.object({ manifests: z.array(descriptorSchema) });

/** Any manifest or index: what it points at is all the push order depends on. */
const manifestSchema = z.object({
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema).optional(),
  config: descriptorSchema.optional(),
  layers: z.array(descriptorSchema).optional(),
});

export interface LayoutManifest {
  digest: string;
  /** Its own `mediaType`, else the type the descriptor naming it gives. */
  mediaType: string;
  bytes: Buffer;
}

export interface OciLayoutContent {
  /** Config and layer blobs present in the layout (foreign layers with `urls` are left out). */
  blobs: string[];
  /** Every reachable manifest, children before the indexes that list them. */
  manifests: LayoutManifest[];
  /** index.json's entries: their digest and `ref.name` annotation, if any. */
  refs: Array<{ digest: string; name?: string }>;
}

export function layoutBlobPath(dir: string, digest: string): string {
  return join(dir, 'blobs', ...digest.split(':'));
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Reads an OCI image layout's graph from index.json down: each manifest checked against its
 * digest, ordered so that pushing in order never names a manifest the registry lacks.
 */
export async function readOciLayout(dir: string): Promise<OciLayoutContent> {
  const index = layoutIndexSchema.parse(
    JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')),
  );
  const blobs = new Set<string>();
  const manifests: LayoutManifest[] = [];
  const visited = new Set<string>();

  const visit = async (descriptor: Descriptor): Promise<void> => {
    if (visited.has(descriptor.digest)) return;
    visited.add(descriptor.digest);

    const bytes = await readFile(layoutBlobPath(dir, descriptor.digest));
    if (sha256Digest(bytes) !== descriptor.digest) {
      throw new Error(`${dir}: blob ${descriptor.digest} does not match its digest`);
    }
    const manifest = manifestSchema.parse(JSON.parse(bytes.toString('utf8')));
    const mediaType = manifest.mediaType ?? descriptor.mediaType;
    if (mediaType === undefined) {
      throw new Error(`${dir}: manifest ${descriptor.digest} has no media type anywhere`);
    }

    // Depth first, recorded after the children: post-order is a valid push order.
    for (const child of manifest.manifests ?? []) await visit(child);
    const referenced = [...(manifest.config ? [manifest.config] : []), ...(manifest.layers ?? [])];
    for (const blob of referenced) {
      if (await exists(layoutBlobPath(dir, blob.digest))) blobs.add(blob.digest);
      else if (blob.urls === undefined) {
        throw new Error(`${dir}: ${descriptor.digest} needs blob ${blob.digest}, not in layout`);
      }
    }
    manifests.push({ digest: descriptor.digest, mediaType, bytes });
  };

  for (const descriptor of index.manifests) await visit(descriptor);
  const refs = index.manifests.map(({ digest, annotations }) => ({
    digest,
    name: annotations?.[REF_NAME_ANNOTATION],
  }));
  return { blobs: [...blobs], manifests, refs };
}
