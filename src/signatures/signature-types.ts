/** How an image signature is carried: an OpenPGP message, or a cosign payload and annotation. */
export type SignatureType = 'simple_signing' | 'cosign';

/**
 * One signature as read, before anything about it is trusted. Every field except `digest` and
 * `raw` comes from the signer and means nothing until a verifier has returned `valid`.
 */
export interface ParsedSignature {
  type: SignatureType;
  /**
   * Names the signature itself: for simple signing, the sha256 of the signature file's bytes; for
   * cosign, the digest of the layer that holds the payload.
   */
  digest: string;
  /**
   * Simple signing: the issuer key id of the signature packet, 16 lower-case hex digits, as
   * openpgp's `KeyID.toHex()` reports it (it may name a signing subkey, not the primary key).
   * Cosign: null, since a keyed cosign signature names no key.
   */
  keyId: string | null;
  /** `critical.image.docker-manifest-digest`: the manifest this signature claims to sign. */
  signedDigest: string;
  /** `critical.identity.docker-reference`, unchecked: it may not even be a valid reference. */
  dockerReference: string;
  /** `optional.creator`, when present. */
  creator?: string;
  /** `optional.timestamp` (seconds since the epoch), when present. */
  timestamp?: Date;
  /** Simple signing: the whole signature file. Cosign: the payload, the bytes that were signed. */
  raw: Buffer;
  /** Cosign only: the `dev.cosignproject.cosign/signature` annotation, base64 of the signature. */
  signatureBase64?: string;
}

/**
 * What a verifier concluded. `unverified` is for callers that hold no key for a signature: the
 * verifiers here always decide between `valid` and `invalid`.
 */
export type SignatureVerdict =
  { status: 'valid' } | { status: 'unverified' } | { status: 'invalid'; reason: string };

export const VALID: SignatureVerdict = { status: 'valid' };

export function invalid(reason: string): SignatureVerdict {
  return { status: 'invalid', reason };
}
