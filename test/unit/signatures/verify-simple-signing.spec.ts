import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestDigest } from '../../../src/content/manifest-digest';
import { verifySimpleSigning } from '../../../src/signatures/verify-simple-signing';
import { SIGNATURES, describeWithSignatures, signatureFile } from './signature-fixtures';

const IMAGE_DIGEST = 'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';

describeWithSignatures('verifySimpleSigning on the simple signing fixtures', () => {
  const publicKeys = () => [signatureFile('public-key.gpg')];
  const verify = (file: string, options: { expectedReference?: string; digest?: string } = {}) =>
    verifySimpleSigning(signatureFile(file), {
      publicKeys: publicKeys(),
      manifestDigest: options.digest ?? IMAGE_DIGEST,
      ...(options.expectedReference === undefined
        ? {}
        : { expectedReference: options.expectedReference }),
    });

  it('finds image.signature valid for the digest of image.manifest.json', async () => {
    const digest = manifestDigest(signatureFile('image.manifest.json'));

    const verdict = await verify('image.signature', { digest });

    expect(digest).toBe(IMAGE_DIGEST);
    expect(verdict).toEqual({ status: 'valid' });
  });

  it('finds the signing key among the keys of a keyring (pubring.gpg)', async () => {
    const verdict = await verifySimpleSigning(signatureFile('image.signature'), {
      publicKeys: [signatureFile('public-key-2.gpg'), signatureFile('pubring.gpg')],
      manifestDigest: IMAGE_DIGEST,
    });

    expect(verdict).toEqual({ status: 'valid' });
  });

  it('accepts the signed repository under another tag or spelled out in full', async () => {
    const tagged = await verify('image.signature', { expectedReference: 'testing/manifest:v2' });
    const full = await verify('image.signature', {
      expectedReference: 'docker.io/testing/manifest@sha256:' + 'a'.repeat(64),
    });

    expect(tagged).toEqual({ status: 'valid' });
    expect(full).toEqual({ status: 'valid' });
  });

  it('finds a signature valid without creator and timestamp', async () => {
    expect(await verify('no-optional-fields.signature')).toEqual({ status: 'valid' });
  });

  it.each([
    ['corrupt.signature', 'signature by key e932f44b23e8dd43 does not verify'],
    ['expired.signature', 'signature expired at 2025-06-24T10:00:00.000Z'],
    ['unknown-key.signature', 'unknown key: 5f9470e3bc6c3b55 is not among the given public keys'],
    ['unsigned-literal.signature', 'the literal data is not signed'],
    ['unsigned-encrypted.signature', 'the message is encrypted, not signed'],
    ['invalid-blob.signature', 'payload: not JSON'],
  ])('finds %s invalid: %s', async (file, reason) => {
    expect(await verify(file)).toEqual({ status: 'invalid', reason });
  });

  it('finds the signature invalid for a key file that holds other keys only', async () => {
    const verdict = await verifySimpleSigning(signatureFile('image.signature'), {
      publicKeys: [signatureFile('public-key-2.gpg')],
      manifestDigest: IMAGE_DIGEST,
    });

    expect(verdict).toEqual({
      status: 'invalid',
      reason: 'unknown key: e932f44b23e8dd43 is not among the given public keys',
    });
  });

  it('checks invalid-reference.signature reference only when asked to', async () => {
    const unchecked = await verify('invalid-reference.signature');
    const checked = await verify('invalid-reference.signature', {
      expectedReference: 'testing/manifest',
    });

    expect(unchecked).toEqual({ status: 'valid' });
    expect(checked).toEqual({
      status: 'invalid',
      reason: 'docker-reference "UPPERCASEISINVALID" is not valid',
    });
  });

  it('finds image.signature invalid for another repository', async () => {
    const other = 'quay.io/testing/manifest';

    const verdict = await verify('image.signature', { expectedReference: other });

    expect(verdict).toEqual({
      status: 'invalid',
      reason: `docker-reference names repository docker.io/testing/manifest, not ${other}`,
    });
  });

  it('finds image.signature invalid for v2s1-invalid-signatures.manifest.json', async () => {
    const bytes = readFileSync(join(SIGNATURES, 'v2s1-invalid-signatures.manifest.json'));
    const digest = manifestDigest(bytes);

    const verdict = await verify('image.signature', { digest });

    // `"signatures": 1` is no JWS list, so the digest is the plain hash of the bytes.
    expect(digest).toBe('sha256:dc6d2c1a204b02b1ed4d0a9b29f075d24317a37da08041f89a88a2ebffbe46d8');
    expect(verdict).toEqual({
      status: 'invalid',
      reason: `signed digest ${IMAGE_DIGEST} does not match manifest digest ${digest}`,
    });
  });

  it('throws for a key file that is no key, or a bad expected reference', async () => {
    const badKey = verifySimpleSigning(signatureFile('image.signature'), {
      publicKeys: [signatureFile('image.manifest.json')],
      manifestDigest: IMAGE_DIGEST,
    });
    const badReference = verify('image.signature', { expectedReference: 'Not/A/Reference' });

    await expect(badKey).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(badReference).rejects.toMatchObject({ code: 'REFERENCE_INVALID' });
  });
});
