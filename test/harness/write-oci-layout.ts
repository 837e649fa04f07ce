import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MediaType } from '../../src/content/media-types';
import { forEachConcurrent } from './for-each-concurrent';
import { GeneratedRepository } from './image-generator';

/** Annotation that names a tag in an OCI layout's index.json (image-spec annotations.md). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Many small files: bounded, so thousands of tags do not exhaust file descriptors. */
const WRITE_CONCURRENCY = 32;

/**
 * Writes a generated repository as an OCI image layout (image-spec image-layout.md): the
 * `oci-layout` marker, every blob and manifest under `blobs/sha256/<hex>`, and an index.json
 * with one descriptor per tag, named by its ref.name annotation.
 */
export async function writeOciLayout(dir: string, generated: GeneratedRepository): Promise<void> {
  const blobDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });

  const files = [
    ...generated.blobs,
    ...[...generated.manifests].map(([digest, { bytes }]) => [digest, bytes] as const),
  ];
  await forEachConcurrent(files, WRITE_CONCURRENCY, ([digest, bytes]) =>
    writeFile(join(blobDir, digest.replace(/^sha256:/, '')), bytes),
  );

  const manifests = Object.entries(generated.tags).map(([tag, digest]) => {
    const manifest = generated.manifests.get(digest);
    if (manifest === undefined) throw new Error(`tag ${tag} names unknown manifest ${digest}`);
    const { mediaType, bytes } = manifest;
    return { mediaType, digest, size: bytes.length, annotations: { [REF_NAME_ANNOTATION]: tag } };
  });
  const index = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
}
