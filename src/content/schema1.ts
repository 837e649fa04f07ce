import { z } from 'zod';
import { SyncError, type ErrorData } from '../errors';
import { checkSchema } from './schema-check';

/**
 * Docker image manifest v2 schema 1 (distribution docs/spec/manifest-v2-1.md, "Signed
 * Manifests") is signed with libtrust's pretty-printed JWS: the `signatures` array is spliced
 * into the JSON text, and each signature's protected header records how to cut it out again
 * (keep the first `formatLength` bytes, append `formatTail`). The registry's digest covers that
 * payload, not the bytes it serves, because it re-signs the document on every GET.
 *
 * Signatures are not verified: a registry signs with its own throwaway key, so a valid signature
 * proves nothing a mirror could use; the payload digest is the integrity check.
 */

/** manifest-v2-1.md, one entry of `signatures` (the JWS "JSON serialization"). */
export const JwsSignatureSchema = z.object({
  header: z.looseObject({ alg: z.string() }),
  signature: z.string(),
  protected: z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'not base64url'),
});

const SignaturesSchema = z.object({ signatures: z.array(JwsSignatureSchema).min(1) });

/** The decoded `protected` header, as libtrust writes it. */
const ProtectedHeaderSchema = z.object({
  formatLength: z.number().int().nonnegative(),
  formatTail: z.string().regex(/^[A-Za-z0-9_-]*={0,2}$/, 'not base64url'),
});

/** A schema 1 document carrying at least one signature; its digest is its payload's. */
export function isSignedSchema1(document: unknown): boolean {
  if (typeof document !== 'object' || document === null) return false;
  const { schemaVersion, signatures } = document as Record<string, unknown>;
  return schemaVersion === 1 && Array.isArray(signatures) && signatures.length > 0;
}

/**
 * The signed payload of a schema 1 manifest: its bytes as they were before signing.
 * `document` is `bytes` already parsed, so callers that have it need not parse twice.
 */
export function schema1Payload(bytes: Buffer, document: unknown, where: ErrorData = {}): Buffer {
  const invalid = (problem: string) =>
    new SyncError('MANIFEST_INVALID', `schema 1 signature: ${problem}`, where);
  const { signatures } = checkSchema(SignaturesSchema, document, invalid);

  // Every signature covers the same payload; one that disagrees means the document was edited.
  const formats = signatures.map((signature, i) =>
    decodeProtected(signature.protected, i, invalid),
  );
  const first = formats[0]!;
  if (
    formats.some((f) => f.formatLength !== first.formatLength || f.formatTail !== first.formatTail)
  ) {
    throw invalid('signatures disagree on the signed payload');
  }
  if (first.formatLength > bytes.length) {
    throw invalid(`formatLength ${first.formatLength} is past the end of the document`);
  }

  const payload = Buffer.concat([
    bytes.subarray(0, first.formatLength),
    Buffer.from(first.formatTail, 'base64url'),
  ]);
  try {
    JSON.parse(payload.toString('utf8'));
  } catch {
    throw invalid('the signed payload is not JSON');
  }
  return payload;
}

function decodeProtected(encoded: string, index: number, invalid: (problem: string) => Error) {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw invalid(`signatures[${index}].protected is not base64url JSON`);
  }
  const fail = (problem: string) => invalid(`signatures[${index}].protected.${problem}`);
  return checkSchema(ProtectedHeaderSchema, header, fail);
}
