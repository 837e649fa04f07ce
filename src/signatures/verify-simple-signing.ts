import type { PublicKey } from 'openpgp';
import { SyncError } from '../errors';
import { checkSignedClaims, parseExpectedReference } from './check-signed-claims';
import {
  readOpenPgpMessage,
  readOpenPgpSignature,
  type OpenPgpSignature,
} from './read-openpgp-signature';
import { readPublicKeys } from './read-public-keys';
import { parseSignaturePayload } from './signature-payload';
import { invalid, type SignatureVerdict } from './signature-types';

export interface VerifySimpleSigningOptions {
  /**
   * Key files as configured, armored or binary; any of their keys may have signed. They are read
   * on every call: about 2 ms for the four-key fixture keyring, some half of what a verification
   * costs. A caller verifying many signatures could hand in keys read once, if that shows.
   */
  publicKeys: readonly Buffer[];
  /** The digest of the manifest the signature is stored for. */
  manifestDigest: string;
  /** When given, the signed identity must name the same repository (tags are ignored). */
  expectedReference?: string;
  /** The time keys and signatures must be valid at; now, unless a test fixes it. */
  now?: Date;
}

/**
 * Verifies a simple signing signature as containers-signature.5.md asks: a signed message, by a
 * given key, cryptographically valid, neither key nor signature expired; only then is the JSON
 * payload read and its claims compared. Every failure of the signature is an `invalid` verdict
 * whose reason says which step failed; unreadable keys or a bad expected reference throw.
 */
export async function verifySimpleSigning(
  bytes: Buffer,
  options: VerifySimpleSigningOptions,
): Promise<SignatureVerdict> {
  const now = options.now ?? new Date();
  const expectedReference = parseExpectedReference(options.expectedReference);
  const keys = await readPublicKeys(options.publicKeys);

  let signature: OpenPgpSignature;
  try {
    signature = await readOpenPgpSignature(bytes);
  } catch (err) {
    return invalidFrom(err);
  }

  const key = keys.find((candidate) => candidate.getKeys(signature.issuer).length > 0);
  if (key === undefined) {
    return invalid(`unknown key: ${signature.keyId} is not among the given public keys`);
  }
  const failure =
    (await checkCryptography(bytes, key, signature)) ?? (await checkValidity(key, signature, now));
  if (failure !== undefined) return invalid(failure);

  let claims;
  try {
    claims = parseSignaturePayload(signature.literal, 'simple_signing');
  } catch (err) {
    return invalidFrom(err);
  }
  return checkSignedClaims(claims, { manifestDigest: options.manifestDigest, expectedReference });
}

/**
 * The cryptographic check, made as of the signature's creation time so that openpgp judges only
 * the math and the key as it was then; what has expired since is `checkValidity`'s to say.
 */
async function checkCryptography(bytes: Buffer, key: PublicKey, signature: OpenPgpSignature) {
  try {
    const message = await readOpenPgpMessage(bytes);
    const [result] = await message.verify([key], signature.packet.created ?? undefined);
    if (result === undefined) throw new Error('no signature on a second read of the same bytes');
    await result.verified;
    return undefined;
  } catch {
    return `signature by key ${signature.keyId} does not verify`;
  }
}

/** openpgp checks validity at the date it is given; we need it now, and say which part failed. */
async function checkValidity(key: PublicKey, signature: OpenPgpSignature, now: Date) {
  const keyExpiry = await key.getExpirationTime();
  if (keyExpiry instanceof Date && keyExpiry <= now) {
    return `key ${signature.keyId} expired at ${keyExpiry.toISOString()}`;
  }
  try {
    await key.getSigningKey(signature.issuer, now);
  } catch {
    return `key ${signature.keyId} is revoked or expired, or may not sign`;
  }

  const { created } = signature.packet;
  if (created !== null && created > now) {
    return `signature created in the future, at ${created.toISOString()}`;
  }
  const signatureExpiry = signature.packet.getExpirationTime();
  if (signatureExpiry instanceof Date && signatureExpiry <= now) {
    return `signature expired at ${signatureExpiry.toISOString()}`;
  }
  return undefined;
}

function invalidFrom(err: unknown): SignatureVerdict {
  if (err instanceof SyncError && err.code === 'SIGNATURE_INVALID') return invalid(err.message);
  throw err;
}
