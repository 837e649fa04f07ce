import { z } from 'zod';

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/);

/**
 * What a correct sync records for one fixture repository, as read back from a docker-registry
 * 2.8.2 by an independent reader (../shared/fixtures/README.md, "expected/"). Digests are the
 * registry's Docker-Content-Digest; for schema 1, the payload without signatures.
 */
export const expectedRepositorySchema = z.object({
  /** Tag to manifest digest. */
  tags: z.record(z.string(), digest),
  manifests: z.record(
    digest,
    z.object({ kind: z.enum(['image', 'index', 'schema1']), media_type: z.string() }),
  ),
  /** Every config and layer blob that can be downloaded. */
  blobs: z.array(digest),
  /** (manifest, layer) pairs, each once. */
  manifest_blobs: z.array(z.tuple([digest, digest])),
  /** Manifest to its config blob. */
  manifest_configs: z.record(digest, digest),
  /** (list, child, architecture, os, variant); '' where the child has no platform field. */
  list_manifests: z.array(z.tuple([digest, digest, z.string(), z.string(), z.string()])),
  // No fixture has a foreign layer, so the README's reader never showed this field's shape.
  foreign_layers: z.array(z.unknown()),
});

export type ExpectedRepository = z.infer<typeof expectedRepositorySchema>;
