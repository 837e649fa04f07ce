import { sha256Digest } from '../content/digest';
import { readOpenPgpSignature } from './read-openpgp-signature';
import { parseSignaturePayload } from './signature-payload';
import type { ParsedSignature } from './signature-types';

/**
 * Reads a simple signing signature (an OpenPGP signed message, binary or armored) without
 * verifying it, to list who signed what; containers-signature.5.md allows this as long as nothing
 * trusts the result. Throws SIGNATURE_INVALID for anything that is not a signed message carrying
 * the "atomic container signature" JSON, encrypted or unsigned messages included.
 */
export async function parseSimpleSigning(bytes: Buffer): Promise<ParsedSignature> {
  const digest = sha256Digest(bytes);
  const signature = await readOpenPgpSignature(bytes, { digest });
  const claims = parseSignaturePayload(signature.literal, 'simple_signing', { digest });
  return { type: 'simple_signing', digest, keyId: signature.keyId, ...claims, raw: bytes };
}
