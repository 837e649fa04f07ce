import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { SyncError } from '../errors';
import { checkSignedClaims, parseExpectedReference } from './check-signed-claims';
import { isBase64 } from './is-base64';
import { parseSignaturePayload } from './signature-payload';
import { invalid, type SignatureVerdict } from './signature-types';

export interface VerifyCosignOptions {
  /** The simplesigning layer's blob, exactly as stored: the signature covers these bytes. */
  payload: Buffer;
  /** The `dev.cosignproject.cosign/signature` annotation. */
  signatureBase64: string;
  /** A public key as `cosign generate-key-pair` writes it (PEM SubjectPublicKeyInfo). */
  publicKeyPem: string | Buffer;
  manifestDigest: string;
  /** When given, the signed identity must name the same repository (tags are ignored). */
  expectedReference?: string;
}

/**
 * Verifies a keyed cosign signature: the signature over the payload bytes with the given key,
 * then the payload's claims. Keyless signatures (Fulcio certificates, Rekor proofs) are not
 * verified here: they need trust roots this service does not hold.
 */
export function verifyCosign(options: VerifyCosignOptions): SignatureVerdict {
  const expectedReference = parseExpectedReference(options.expectedReference);
  const key = readPublicKey(options.publicKeyPem);

  if (!isBase64(options.signatureBase64)) return invalid('signature is not base64');
  const signature = Buffer.from(options.signatureBase64, 'base64');
  if (!verifiesWith(key, options.payload, signature)) {
    return invalid('signature does not verify with the given public key');
  }

  let claims;
  try {
    claims = parseSignaturePayload(options.payload, 'cosign');
  } catch (err) {
    if (err instanceof SyncError && err.code === 'SIGNATURE_INVALID') return invalid(err.message);
    throw err;
  }
  return checkSignedClaims(claims, { manifestDigest: options.manifestDigest, expectedReference });
}

function readPublicKey(pem: string | Buffer): KeyObject {
  try {
    return createPublicKey(pem);
  } catch (err) {
    const problem = 'cosign public key is not a PEM public key';
    throw new SyncError('CONFIG_INVALID', problem, {}, { cause: err });
  }
}

/**
 * cosign's default is SHA-256 for every key it loads from a PEM file (ECDSA P-256 from
 * `generate-key-pair`, RSA PKCS#1 v1.5); Ed25519 and Ed448 sign the message itself, which node
 * asks for with a null algorithm. ECDSA signatures are ASN.1 DER, node's default encoding. A
 * malformed signature makes node throw rather than return false; either way it does not verify.
 *
 * Known shortcoming: keys made for another hash (cosign's `--signing-algorithm`, e.g. ECDSA
 * P-384 with SHA-384) fail as "does not verify"; a hash option beside the key would lift it.
 */
function verifiesWith(key: KeyObject, payload: Buffer, signature: Buffer): boolean {
  const type = key.asymmetricKeyType;
  const algorithm = type === 'ed25519' || type === 'ed448' ? null : 'sha256';
  if (type === undefined || !['ec', 'rsa', 'rsa-pss', 'dsa', 'ed25519', 'ed448'].includes(type)) {
    throw new SyncError('CONFIG_INVALID', `a ${type ?? 'symmetric'} key cannot verify signatures`);
  }
  try {
    return verify(algorithm, payload, key, signature);
  } catch {
    return false;
  }
}
