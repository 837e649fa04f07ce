import { z } from 'zod';
import { checkSchema } from '../content/schema-check';
import { SyncError, type ErrorData } from '../errors';

/** `critical.type` of each format: simple signing's, then cosign's, which reuses the layout. */
export const PAYLOAD_TYPES = {
  simple_signing: 'atomic container signature',
  cosign: 'cosign container image signature',
} as const;

/** The digest grammar of the OCI image spec (descriptor.md#digests), any algorithm. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * containers/image docs/containers-signature.5.md, "JSON data format": `critical` and its
 * sub-objects must hold nothing unrecognized (so strict objects), while `optional` may carry
 * anything, and only the members we read are checked. `docker-reference` stays a plain string
 * here: whether it is a valid reference matters only when a verifier compares it.
 *
 * Known shortcoming: the format also asks consumers to refuse duplicated members, but JSON.parse
 * keeps the last one without a word, so a duplicated critical member is read as its last value.
 * A JSON reader that reports duplicates would lift this.
 */
function payloadSchema<O extends z.ZodType>(type: string, optional: O) {
  return z.strictObject({
    critical: z.strictObject({
      type: z.literal(type),
      image: z.strictObject({
        'docker-manifest-digest': z.string().regex(DIGEST_GRAMMAR, 'not a digest'),
      }),
      identity: z.strictObject({ 'docker-reference': z.string().min(1) }),
    }),
    optional,
  });
}

const OptionalSchema = z.looseObject({
  creator: z.string().optional(),
  /** Seconds since the epoch, "representable as a 64-bit integer". */
  timestamp: z.number().int().optional(),
});

/**
 * The document format asks for an `optional` object; cosign writes `"optional": null` when it
 * has no annotations to add, so for cosign null (or no member at all) means empty.
 */
const SCHEMAS = {
  simple_signing: payloadSchema(PAYLOAD_TYPES.simple_signing, OptionalSchema),
  cosign: payloadSchema(PAYLOAD_TYPES.cosign, OptionalSchema.nullable().optional()),
};

export interface SignedClaims {
  signedDigest: string;
  dockerReference: string;
  creator?: string;
  timestamp?: Date;
}

/** Reads the signed JSON document; any departure from the format is SIGNATURE_INVALID. */
export function parseSignaturePayload(
  payload: Buffer,
  format: keyof typeof PAYLOAD_TYPES,
  where: ErrorData = {},
): SignedClaims {
  const fail = (problem: string) =>
    new SyncError('SIGNATURE_INVALID', `payload: ${problem}`, where);
  let document: unknown;
  try {
    document = JSON.parse(payload.toString('utf8'));
  } catch {
    throw fail('not JSON');
  }
  const { critical, optional } = checkSchema(SCHEMAS[format], document, fail);

  const claims: SignedClaims = {
    signedDigest: critical.image['docker-manifest-digest'],
    dockerReference: critical.identity['docker-reference'],
  };
  if (optional?.creator !== undefined) claims.creator = optional.creator;
  if (optional?.timestamp !== undefined) {
    const timestamp = new Date(optional.timestamp * 1000);
    if (Number.isNaN(timestamp.getTime())) throw fail('optional.timestamp: out of range');
    claims.timestamp = timestamp;
  }
  return claims;
}
