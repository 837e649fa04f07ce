import { z } from 'zod';

/**
 * distribution-spec/spec.md, "Listing Tags": `{"name": "<name>", "tags": [...]}`. A repository
 * whose tags were all deleted answers `"tags": null`, which reads as no tags.
 */
export const TagsPageSchema = z.object({
  name: z.string().optional(),
  tags: z
    .array(z.string())
    .nullish()
    .transform((tags) => tags ?? []),
});
