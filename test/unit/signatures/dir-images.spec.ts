import { join } from 'node:path';
import { parseContainersImageSignature } from '../../../src/signatures/parse-containers-image-signature';
import type { SignatureVerdict } from '../../../src/signatures/signature-types';
import { verifySimpleSigning } from '../../../src/signatures/verify-simple-signing';
import {
  SIGNATURES,
  describeWithSignatures,
  readDirImage,
  signatureFile,
} from './signature-fixtures';

const IMAGE_DIGEST = 'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
const SCHEMA1_DIGEST = 'sha256:dc6d2c1a204b02b1ed4d0a9b29f075d24317a37da08041f89a88a2ebffbe46d8';
const VALID: SignatureVerdict = { status: 'valid' };

/** Each skopeo `dir:` image's signature files, read as a lookaside source would, then verified. */
async function verdictsOf(folder: string): Promise<Record<string, SignatureVerdict>> {
  const image = readDirImage(join(SIGNATURES, folder));
  const verdicts: Record<string, SignatureVerdict> = {};
  for (const { name, bytes } of image.signatures) {
    const { format, payload } = parseContainersImageSignature(bytes);
    expect(format).toBe('simple_signing');
    verdicts[name] = await verifySimpleSigning(payload, {
      publicKeys: [signatureFile('public-key.gpg')],
      manifestDigest: image.manifestDigest,
      expectedReference: 'testing/manifest',
    });
  }
  return verdicts;
}

describeWithSignatures('simple signing dir-img-* folders', () => {
  it.each([
    ['dir-img-valid', { 'signature-1': VALID }],
    ['dir-img-valid-2', { 'signature-1': VALID, 'signature-2': VALID }],
    [
      'dir-img-manifest-digest-error',
      {
        'signature-1': {
          status: 'invalid',
          reason: `signed digest ${IMAGE_DIGEST} does not match manifest digest ${SCHEMA1_DIGEST}`,
        },
      },
    ],
    ['dir-img-unsigned', {}],
    [
      'dir-img-mixed',
      { 'signature-1': { status: 'invalid', reason: 'payload: not JSON' }, 'signature-2': VALID },
    ],
  ])('%s', async (folder, expected) => {
    const verdicts = await verdictsOf(folder);

    expect(verdicts).toEqual(expected);
  });
});
