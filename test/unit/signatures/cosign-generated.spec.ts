import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { sha256Digest } from '../../../src/content/digest';
import { parseCosignLayer } from '../../../src/signatures/parse-cosign';
import { verifyCosign } from '../../../src/signatures/verify-cosign';

/** Cosign layers and signatures made here, for the key types and failures no fixture has. */
const DIGEST = `sha256:${'cd'.repeat(32)}`;
const PAYLOAD = Buffer.from(
  JSON.stringify({
    critical: {
      identity: { 'docker-reference': 'ghcr.io/team/app' },
      image: { 'docker-manifest-digest': DIGEST },
      type: 'cosign container image signature',
    },
    optional: { creator: 'ci', timestamp: 1_700_000_000, sha: 'abc' },
  }),
);
const ANNOTATION = 'dev.cosignproject.cosign/signature';

const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

describe('verifyCosign with keys made here', () => {
  it.each([
    ['ECDSA P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'sha256'],
    ['RSA', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), 'sha256'],
    ['Ed25519', () => generateKeyPairSync('ed25519'), null],
  ] as const)('verifies a %s signature', (_, generate, algorithm) => {
    const { publicKey, privateKey } = generate();
    const signatureBase64 = sign(algorithm, PAYLOAD, privateKey).toString('base64');

    const verdict = verifyCosign({
      payload: PAYLOAD,
      signatureBase64,
      publicKeyPem: pem(publicKey),
      manifestDigest: DIGEST,
      expectedReference: 'ghcr.io/team/app:v3',
    });

    expect(verdict).toEqual({ status: 'valid' });
  });

  describe('with a P-256 key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signed = (payload: Buffer) => sign('sha256', payload, privateKey).toString('base64');
    const verify = (overrides: Partial<Parameters<typeof verifyCosign>[0]> = {}) =>
      verifyCosign({
        payload: PAYLOAD,
        signatureBase64: signed(PAYLOAD),
        publicKeyPem: pem(publicKey),
        manifestDigest: DIGEST,
        ...overrides,
      });

    it.each([
      [
        'a payload changed after signing',
        { payload: Buffer.from(`${PAYLOAD} `) },
        'signature does not verify with the given public key',
      ],
      [
        'a signature that is not base64',
        { signatureBase64: 'not base64!' },
        'signature is not base64',
      ],
      [
        'a signature that is not DER',
        { signatureBase64: 'AAAA' },
        'signature does not verify with the given public key',
      ],
      [
        'another manifest',
        { manifestDigest: `sha256:${'00'.repeat(32)}` },
        `signed digest ${DIGEST} does not match manifest digest sha256:${'00'.repeat(32)}`,
      ],
      [
        'another repository',
        { expectedReference: 'ghcr.io/team/other' },
        'docker-reference names repository ghcr.io/team/app, not ghcr.io/team/other',
      ],
    ])('finds %s invalid', (_, overrides, reason) => {
      expect(verify(overrides)).toEqual({ status: 'invalid', reason });
    });

    it('finds a signed payload of the simple signing type invalid', () => {
      const payload = Buffer.from(
        PAYLOAD.toString().replace('cosign container image', 'atomic container'),
      );

      const verdict = verify({ payload, signatureBase64: signed(payload) });

      expect(verdict).toEqual({
        status: 'invalid',
        reason:
          'payload: critical.type: Invalid input: expected "cosign container image signature"',
      });
    });

    it('throws CONFIG_INVALID for a key that is no key, or cannot verify', () => {
      const x25519 = generateKeyPairSync('x25519').publicKey;

      expect(() => verify({ publicKeyPem: 'nonsense' })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
      expect(() => verify({ publicKeyPem: pem(x25519) })).toThrow(
        expect.objectContaining({
          code: 'CONFIG_INVALID',
          message: 'a x25519 key cannot verify signatures',
        }),
      );
    });
  });
});

describe('parseCosignLayer', () => {
  const layer = {
    layerDigest: sha256Digest(PAYLOAD),
    payload: PAYLOAD,
    annotations: { [ANNOTATION]: 'AAAA' },
  };

  it('reads the claims, creator and timestamp, keeping the signature annotation', () => {
    expect(parseCosignLayer(layer)).toEqual({
      type: 'cosign',
      digest: layer.layerDigest,
      keyId: null,
      signedDigest: DIGEST,
      dockerReference: 'ghcr.io/team/app',
      creator: 'ci',
      timestamp: new Date('2023-11-14T22:13:20Z'),
      raw: PAYLOAD,
      signatureBase64: 'AAAA',
    });
  });

  it('refuses a payload that does not hash to its layer digest with DIGEST_MISMATCH', () => {
    const wrong = `sha256:${'ef'.repeat(32)}`;

    expect(() => parseCosignLayer({ ...layer, layerDigest: wrong })).toThrow(
      expect.objectContaining({
        code: 'DIGEST_MISMATCH',
        data: expect.objectContaining({ expected: wrong, actual: layer.layerDigest }),
      }),
    );
  });

  it.each([
    [
      'another media type',
      { mediaType: 'application/json' },
      'layer media type application/json is not a cosign simple signing payload',
    ],
    [
      'no signature annotation',
      { annotations: {} },
      'no dev.cosignproject.cosign/signature annotation',
    ],
    [
      'a signature that is not base64',
      { annotations: { [ANNOTATION]: '***' } },
      'dev.cosignproject.cosign/signature is not base64',
    ],
  ])('refuses %s with SIGNATURE_INVALID', (_, overrides, message) => {
    expect(() => parseCosignLayer({ ...layer, ...overrides })).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_INVALID', message }),
    );
  });
});
