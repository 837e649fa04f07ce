import { isDigest, type Digest } from '../content/digest';
import { manifestDigest } from '../content/manifest-digest';
import { SyncError, type ErrorData } from '../errors';

export interface ManifestDigestCheck {
  bytes: Buffer;
  /** The tag or digest the manifest was fetched by. */
  reference: string;
  /** What the caller already knows the digest to be (from a HEAD or a parent's descriptor). */
  expectedDigest?: Digest;
  /** `Docker-Content-Digest` of the response, when it was a valid digest. */
  reportedDigest?: Digest;
  where: ErrorData;
}

/**
 * The digest of fetched manifest bytes, after checking it against every digest that was promised
 * for them: the reference when it is a digest, the caller's expectation, and, fetching by tag
 * without one, the registry's own report. With nothing promised, the computed digest stands.
 * Each digest is recomputed with its own algorithm, so a sha512 reference is checked as sha512.
 */
export function verifyManifestDigest(check: ManifestDigestCheck): Digest {
  const promised = new Set<Digest>();
  if (isDigest(check.reference)) promised.add(check.reference);
  if (check.expectedDigest) promised.add(check.expectedDigest);
  if (promised.size === 0 && check.reportedDigest) promised.add(check.reportedDigest);

  const computed = (algorithm: 'sha256' | 'sha512') =>
    manifestDigest(check.bytes, algorithm, check.where);
  for (const expected of promised) {
    const actual = computed(expected.startsWith('sha512:') ? 'sha512' : 'sha256');
    if (actual !== expected) {
      throw new SyncError(
        'DIGEST_MISMATCH',
        `manifest ${check.where.repository} ${check.reference}: got ${actual}, expected ${expected}`,
        { ...check.where, reference: check.reference, digest: expected, expected, actual },
      );
    }
  }
  return [...promised][0] ?? computed('sha256');
}
