import { GeneratedRepository } from '../image-generator';

/** The manifests a tag names: its image manifest, or its index and the index's children. */
export function tagManifests(generated: GeneratedRepository, tag: string): string[] {
  const top = generated.tags[tag];
  if (top === undefined) throw new Error(`the generated repository has no tag ${tag}`);
  const children = generated.children[tag] ?? [];
  return children.includes(top) ? [top] : [top, ...children];
}

/** Every config and layer blob the images of a tag use, sorted. */
export function tagBlobs(generated: GeneratedRepository, tag: string): string[] {
  const blobs = new Set<string>();
  for (const digest of tagManifests(generated, tag)) {
    const manifest = generated.manifests.get(digest);
    if (manifest === undefined) throw new Error(`tag ${tag} names unknown manifest ${digest}`);
    const { config, layers = [] } = JSON.parse(manifest.bytes.toString('utf8')) as {
      config?: { digest: string };
      layers?: Array<{ digest: string }>;
    };
    if (config !== undefined) blobs.add(config.digest);
    for (const layer of layers) blobs.add(layer.digest);
  }
  return [...blobs].sort();
}
