import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Digest } from '../../../src/content/digest';
import { parseCosignLayer } from '../../../src/signatures/parse-cosign';
import { parseContainersImageSignature } from '../../../src/signatures/parse-containers-image-signature';
import type { SignatureVerdict } from '../../../src/signatures/signature-types';
import { verifyCosign } from '../../../src/signatures/verify-cosign';
import { COSIGN, describeWithSignatures, readDirImage } from './signature-fixtures';

const SIGNED_DIGEST = 'sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00';
const REFERENCE = '192.168.64.2:5000/cosign-signed-single-sample';
const VALID: SignatureVerdict = { status: 'valid' };
const NOT_THIS_KEY: SignatureVerdict = {
  status: 'invalid',
  reason: 'signature does not verify with the given public key',
};
const digestError = (manifestDigest: string): SignatureVerdict => ({
  status: 'invalid',
  reason: `signed digest ${SIGNED_DIGEST} does not match manifest digest ${manifestDigest}`,
});

/** Each cosign signature of a containers/image `dir:` folder, verified with one key file. */
function verdictsOf(folder: string, keyFile: string): Record<string, SignatureVerdict> {
  const image = readDirImage(join(COSIGN, folder));
  const publicKeyPem = readFileSync(join(COSIGN, keyFile));
  const verdicts: Record<string, SignatureVerdict> = {};
  for (const { name, bytes } of image.signatures) {
    const record = parseContainersImageSignature(bytes);
    const parsed = parseCosignLayer({
      layerDigest: sha256Digest(record.payload),
      payload: record.payload,
      annotations: record.annotations ?? {},
      ...(record.mediaType === undefined ? {} : { mediaType: record.mediaType }),
    });
    verdicts[name] = verifyCosign({
      payload: parsed.raw,
      signatureBase64: parsed.signatureBase64 ?? '',
      publicKeyPem,
      manifestDigest: image.manifestDigest,
      expectedReference: `${REFERENCE}:latest`,
    });
  }
  return verdicts;
}

describeWithSignatures('cosign dir-img-cosign-* folders', () => {
  it('reads a sigstore-json signature file: payload, media type, annotations', () => {
    const bytes = readFileSync(join(COSIGN, 'dir-img-cosign-valid', 'signature-1'));

    const record = parseContainersImageSignature(bytes);
    const parsed = parseCosignLayer({
      layerDigest: sha256Digest(record.payload),
      payload: record.payload,
      annotations: record.annotations ?? {},
    });

    expect(record.format).toBe('cosign');
    expect(record.mediaType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
    expect(parsed).toMatchObject({
      type: 'cosign',
      keyId: null,
      signedDigest: SIGNED_DIGEST,
      dockerReference: REFERENCE,
      signatureBase64: record.annotations?.['dev.cosignproject.cosign/signature'],
    });
    expect(parsed).not.toHaveProperty('creator');
  });

  it.each([
    ['dir-img-cosign-valid', 'cosign.pub', { 'signature-1': VALID }],
    ['dir-img-cosign-valid', 'cosign2.pub', { 'signature-1': NOT_THIS_KEY }],
    ['dir-img-cosign-valid-2', 'cosign.pub', { 'signature-1': VALID, 'signature-2': VALID }],
    [
      'dir-img-cosign-modified-manifest',
      'cosign.pub',
      {
        'signature-1': digestError(
          'sha256:d9dcafdb480aa7c475e91737b96925e45844213dcb0290b4a90017459121f71f',
        ),
      },
    ],
    [
      'dir-img-cosign-manifest-digest-error',
      'cosign.pub',
      {
        'signature-1': digestError(
          'sha256:dc6d2c1a204b02b1ed4d0a9b29f075d24317a37da08041f89a88a2ebffbe46d8',
        ),
      },
    ],
    ['dir-img-cosign-mixed', 'cosign.pub', { 'signature-1': NOT_THIS_KEY, 'signature-2': VALID }],
    [
      'dir-img-cosign-mixed',
      'cosign2.pub',
      { 'signature-1': NOT_THIS_KEY, 'signature-2': NOT_THIS_KEY },
    ],
  ])('%s with %s', (folder, keyFile, expected) => {
    const verdicts = verdictsOf(folder, keyFile);

    expect(verdicts).toEqual(expected);
  });
});
