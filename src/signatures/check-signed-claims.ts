import { SyncError } from '../errors';
import { parseDockerReference, type DockerReference } from './docker-reference';
import type { SignedClaims } from './signature-payload';
import { invalid, VALID, type SignatureVerdict } from './signature-types';

export interface ExpectedClaims {
  manifestDigest: string;
  /** Parsed with `parseExpectedReference`; absent when the caller does not check identity. */
  expectedReference?: DockerReference;
}

/**
 * The caller's expected reference comes from configuration: a bad one is the caller's error, not
 * the signature's, so it throws instead of producing a verdict. Verifiers call this first.
 */
export function parseExpectedReference(value: string | undefined): DockerReference | undefined {
  if (value === undefined) return undefined;
  const reference = parseDockerReference(value);
  if (reference === undefined) {
    const problem = `not a valid image reference: ${JSON.stringify(value)}`;
    throw new SyncError('REFERENCE_INVALID', problem, { reference: value.slice(0, 200) });
  }
  return reference;
}

/**
 * What a cryptographically valid signature claims, against what the caller holds. The digest must
 * be the manifest's exactly. The identity must name the same repository (registry host and path,
 * after Docker Hub normalization); tags and digests in either reference are ignored, because a
 * mirror verifies the manifest by digest and may reach it under any tag the signer never named.
 */
export function checkSignedClaims(
  claims: SignedClaims,
  { manifestDigest, expectedReference }: ExpectedClaims,
): SignatureVerdict {
  if (claims.signedDigest !== manifestDigest) {
    return invalid(
      `signed digest ${claims.signedDigest} does not match manifest digest ${manifestDigest}`,
    );
  }
  if (expectedReference === undefined) return VALID;

  const signed = parseDockerReference(claims.dockerReference);
  if (signed === undefined) {
    return invalid(`docker-reference ${JSON.stringify(claims.dockerReference)} is not valid`);
  }
  if (signed.repository !== expectedReference.repository) {
    return invalid(
      `docker-reference names repository ${signed.repository}, not ${expectedReference.repository}`,
    );
  }
  return VALID;
}
