import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { sha256Digest } from '../../../src/content/digest';
import { MediaType } from '../../../src/content/media-types';
import { COSIGN_SIGNATURE_ANNOTATION } from '../../../src/signatures/parse-cosign';
import { PAYLOAD_TYPES } from '../../../src/signatures/signature-payload';
import type { PushableManifest } from './artifacts';

export interface CosignKey {
  privateKey: KeyObject;
  /** The public key as `cosign generate-key-pair` writes `cosign.pub`: PEM SPKI. */
  publicKeyPem: Buffer;
}

/** An ECDSA P-256 pair, the kind `cosign generate-key-pair` makes. */
export function createCosignKey(): CosignKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    publicKeyPem: Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }) as string),
  };
}

export interface CosignSignatureSpec {
  key: CosignKey;
  /** The manifest the payload names. */
  signedDigest: string;
  dockerReference: string;
}

export interface CosignSignatureManifest extends PushableManifest {
  /** The payload layers, one per signature, in the order given. */
  layers: string[];
}

/**
 * A cosign `.sig` manifest as cosign's specs/SIGNATURE_SPEC.md lays it out: one simplesigning
 * layer per signature, its blob the JSON payload and its `dev.cosignproject.cosign/signature`
 * annotation the base64 ECDSA signature (ASN.1 DER, SHA-256) over exactly those bytes. The
 * config is the small image config cosign writes, whose diff_ids are the payload digests.
 * Debian's skopeo cannot make these, so node:crypto signs here.
 */
export function buildCosignSignatures(
  specs: readonly CosignSignatureSpec[],
): CosignSignatureManifest {
  const blobs = new Map<string, Buffer>();
  const layers = specs.map(({ key, signedDigest, dockerReference }) => {
    const payload = Buffer.from(
      JSON.stringify({
        critical: {
          identity: { 'docker-reference': dockerReference },
          image: { 'docker-manifest-digest': signedDigest },
          type: PAYLOAD_TYPES.cosign,
        },
        optional: null,
      }),
    );
    const digest = sha256Digest(payload);
    blobs.set(digest, payload);
    const signature = sign('sha256', payload, key.privateKey).toString('base64');
    return {
      mediaType: MediaType.cosignSimpleSigning,
      size: payload.length,
      digest,
      annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signature },
    };
  });

  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) },
      config: {},
    }),
  );
  const configDigest = sha256Digest(config);
  blobs.set(configDigest, config);
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, size: config.length, digest: configDigest },
      layers,
    }),
  );
  return {
    bytes,
    digest: sha256Digest(bytes),
    mediaType: MediaType.ociManifest,
    blobs,
    layers: layers.map((layer) => layer.digest),
  };
}
