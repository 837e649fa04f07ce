import { digestOf, parseDigest } from '../content/digest';
import { MediaType } from '../content/media-types';
import { SyncError } from '../errors';
import { isBase64 } from './is-base64';
import { parseSignaturePayload } from './signature-payload';
import type { ParsedSignature } from './signature-types';

// Callers that parse a `.sig` manifest verify next; one import serves both.
export { verifyCosign } from './verify-cosign';

/** Where cosign puts the base64 signature of a simplesigning layer's payload. */
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

export interface CosignLayer {
  /** The layer's descriptor digest; the payload must hash to it. */
  layerDigest: string;
  /** The layer blob: the JSON document that was signed. */
  payload: Buffer;
  annotations?: Readonly<Record<string, string>>;
  /** The layer's media type, checked when given. */
  mediaType?: string;
}

/**
 * Reads one layer of a cosign `.sig` manifest (cosign's specs/SIGNATURE_SPEC.md: a
 * `application/vnd.dev.cosign.simplesigning.v1+json` layer whose blob is the payload and whose
 * annotation holds the signature) without verifying it. A payload that does not hash to the layer
 * digest is DIGEST_MISMATCH; anything else wrong is SIGNATURE_INVALID.
 */
export function parseCosignLayer(layer: CosignLayer): ParsedSignature {
  const where = { digest: layer.layerDigest };
  const fail = (problem: string) => new SyncError('SIGNATURE_INVALID', problem, where);
  if (layer.mediaType !== undefined && layer.mediaType !== MediaType.cosignSimpleSigning) {
    throw fail(`layer media type ${layer.mediaType} is not a cosign simple signing payload`);
  }

  const { algorithm } = parseDigest(layer.layerDigest);
  const actual = digestOf(layer.payload, algorithm);
  if (actual !== layer.layerDigest) {
    const problem = `cosign payload hashes to ${actual}, not to its layer digest`;
    const data = { ...where, expected: layer.layerDigest, actual };
    throw new SyncError('DIGEST_MISMATCH', problem, data);
  }

  const signatureBase64 = layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
  if (signatureBase64 === undefined) throw fail(`no ${COSIGN_SIGNATURE_ANNOTATION} annotation`);
  if (!isBase64(signatureBase64)) throw fail(`${COSIGN_SIGNATURE_ANNOTATION} is not base64`);

  const claims = parseSignaturePayload(layer.payload, 'cosign', where);
  return {
    type: 'cosign',
    digest: layer.layerDigest,
    // Keyed cosign signatures name no key; the Rekor bundle carries one, but only as the
    // signer's claim, so it is no identity to record.
    keyId: null,
    ...claims,
    raw: layer.payload,
    signatureBase64,
  };
}
