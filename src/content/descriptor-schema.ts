import { z } from 'zod';
import { isDigest, type Digest } from './digest';
import type { Descriptor, Platform } from './manifest-types';

/**
 * image-spec/descriptor.md#digests, limited to the algorithms we can verify. The issue quotes
 * the refused value (200 characters at most) and is marked, so a manifest naming a bad digest
 * fails as DIGEST_INVALID rather than as any other malformed document.
 */
export const DigestSchema = z.custom<Digest>(
  (value) => typeof value === 'string' && isDigest(value),
  { error: (issue) => digestProblem(issue.input), params: { invalidDigest: true } },
);

/** The issue message for a refused digest: the value quoted, or its type when not a string. */
export function digestProblem(value: unknown): string {
  const quoted = typeof value === 'string' ? JSON.stringify(value.slice(0, 200)) : typeof value;
  return `not a valid sha256 or sha512 digest: ${quoted}`;
}

/** Whether a schema issue is a refused digest (see DigestSchema). */
export function isDigestIssue(issue: z.core.$ZodIssue | undefined): boolean {
  return issue?.code === 'custom' && issue.params?.['invalidDigest'] === true;
}

export const AnnotationsSchema = z.record(z.string(), z.string());

/** image-spec/image-index.md, `platform` of an index entry; Docker lists use the same fields. */
export const PlatformSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
  features: z.array(z.string()).optional(),
});

/** image-spec/descriptor.md#properties. `data` is accepted and dropped: the blob is fetched. */
export const DescriptorSchema = z.object({
  mediaType: z.string().min(1),
  digest: DigestSchema,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: AnnotationsSchema.optional(),
  artifactType: z.string().optional(),
  data: z.string().optional(),
  platform: PlatformSchema.optional(),
});

export function toPlatform(raw: z.output<typeof PlatformSchema>): Platform {
  return withoutUndefined({
    architecture: raw.architecture,
    os: raw.os,
    osVersion: raw['os.version'],
    osFeatures: raw['os.features'],
    variant: raw.variant,
    features: raw.features,
  });
}

export function toDescriptor(raw: z.output<typeof DescriptorSchema>): Descriptor {
  return withoutUndefined({
    mediaType: raw.mediaType,
    digest: raw.digest,
    size: raw.size,
    urls: raw.urls,
    annotations: raw.annotations,
    artifactType: raw.artifactType,
    platform: raw.platform && toPlatform(raw.platform),
  });
}

/** Absent fields stay absent, so results compare and serialize like the documents they mirror. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
