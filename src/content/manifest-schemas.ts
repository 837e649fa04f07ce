import { z } from 'zod';
import {
  AnnotationsSchema,
  DescriptorSchema,
  DigestSchema,
  digestProblem,
  PlatformSchema,
} from './descriptor-schema';
import { isDigest, type Digest } from './digest';
import { MediaType } from './media-types';
import { JwsSignatureSchema } from './schema1';

/**
 * One schema per manifest format, each following the section it cites. `mediaType` is optional
 * where the format lets it be absent (the type then came from Content-Type or the structure),
 * but when present it must be the format's own.
 */

/** distribution docs/spec/manifest-v2-1.md, "Manifest Field Descriptions". */
export const Schema1ManifestSchema = z
  .object({
    schemaVersion: z.literal(1),
    name: z.string(),
    tag: z.string(),
    architecture: z.string(),
    fsLayers: z.array(z.object({ blobSum: DigestSchema })),
    history: z.array(z.object({ v1Compatibility: z.string() })),
    signatures: z.array(JwsSignatureSchema).optional(),
  })
  // Each fsLayers entry has its history entry; a registry refuses a document where they differ.
  .refine((m) => m.history.length === m.fsLayers.length, {
    path: ['history'],
    message: 'must have one entry per fsLayers entry',
  });

/** distribution docs/spec/manifest-v2-2.md, "Image Manifest Field Descriptions". */
export const DockerManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(MediaType.dockerSchema2).optional(),
  config: DescriptorSchema,
  layers: z.array(DescriptorSchema),
  annotations: AnnotationsSchema.optional(),
});

/** distribution docs/spec/manifest-v2-2.md, "Manifest List Field Descriptions". */
export const DockerManifestListSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(MediaType.dockerManifestList).optional(),
  manifests: z.array(DescriptorSchema.extend({ platform: PlatformSchema })),
  annotations: AnnotationsSchema.optional(),
});

const DigestOrEmptySchema = z.custom<Digest | ''>(
  (value) => value === '' || (typeof value === 'string' && isDigest(value)),
  { error: (issue) => digestProblem(issue.input), params: { invalidDigest: true } },
);

/**
 * image-spec/manifest.md, "Image Manifest Property Descriptions". Two laxities: `layers: null`
 * (how Go writes an empty slice) reads as no layers, and a config with an empty digest and size 0
 * reads as a config with no blob. Refusing either would drop a whole artifact over a field that
 * names nothing to mirror.
 */
export const OciManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(MediaType.ociManifest).optional(),
  artifactType: z.string().optional(),
  config: DescriptorSchema.extend({ digest: DigestOrEmptySchema }).refine(
    (config) => config.digest !== '' || config.size === 0,
    { path: ['digest'], message: 'is empty but size is not 0' },
  ),
  layers: z.array(DescriptorSchema).nullable(),
  subject: DescriptorSchema.optional(),
  annotations: AnnotationsSchema.optional(),
});

/** image-spec/image-index.md, "Image Index Property Descriptions". */
export const OciIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(MediaType.ociIndex).optional(),
  artifactType: z.string().optional(),
  manifests: z.array(DescriptorSchema),
  subject: DescriptorSchema.optional(),
  annotations: AnnotationsSchema.optional(),
});

export type Schema1Manifest = z.output<typeof Schema1ManifestSchema>;
export type ImageManifest = z.output<typeof DockerManifestSchema | typeof OciManifestSchema>;
export type ManifestIndex = z.output<typeof DockerManifestListSchema | typeof OciIndexSchema>;
