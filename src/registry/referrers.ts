import { z } from 'zod';
import { isDigest, parseDigest } from '../content/digest';
import { MediaType } from '../content/media-types';
import type { RegistryClient } from './registry-client';

/** The referrers list is an OCI index (distribution-spec, "Listing Referrers"). */
const ReferrersSchema = z.object({
  manifests: z
    .array(z.object({ digest: z.string().refine(isDigest) }))
    .nullable()
    .optional(),
});

const MAX_INDEX_BYTES = 4 * 1024 * 1024;

/**
 * Asks the registry for the manifests whose `subject` is `digest`. Undefined when the registry
 * has no referrers API (a 404 that is not an index, as docker-registry 2.8 answers): then the
 * referrers tag schema (`sha256-<hex>`) is the place to look.
 */
export async function fetchReferrers(
  client: RegistryClient,
  digest: string,
): Promise<string[] | undefined> {
  parseDigest(digest, { reference: digest.slice(0, 200) });
  const answer = await client.getExtension(`/v2/<name>/referrers/${digest}`, {
    accept: MediaType.ociIndex,
    maxBytes: MAX_INDEX_BYTES,
    reference: digest,
  });
  if (!answer.body) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return undefined;
  }
  const index = ReferrersSchema.safeParse(json);
  if (!index.success) return undefined;
  return (index.data.manifests ?? []).map((m) => m.digest);
}
