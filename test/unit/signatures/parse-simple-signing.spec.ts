import { readKeys } from 'openpgp';
import { parseSimpleSigning } from '../../../src/signatures/parse-simple-signing';
import { describeWithSignatures, signatureFile } from './signature-fixtures';

const IMAGE_DIGEST = 'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
const TEST_KEY_ID = 'e932f44b23e8dd43';

describeWithSignatures('parseSimpleSigning on the simple signing fixtures', () => {
  it('reads image.signature: its own digest, the signing key id and every claim', async () => {
    const bytes = signatureFile('image.signature');

    const parsed = await parseSimpleSigning(bytes);

    expect(parsed).toEqual({
      type: 'simple_signing',
      digest: 'sha256:51241f45a8e92f9b3867ab9c584479fa814b4f838b8d9c5e9724697d07dd46ca',
      keyId: TEST_KEY_ID,
      signedDigest: IMAGE_DIGEST,
      dockerReference: 'testing/manifest',
      creator: 'atomic ',
      timestamp: new Date('2016-03-17T18:35:13Z'),
      raw: bytes,
    });
  });

  it('reports the key id of the key in public-key.gpg, as openpgp writes it', async () => {
    const [key] = await readKeys({ armoredKeys: signatureFile('public-key.gpg').toString() });

    const parsed = await parseSimpleSigning(signatureFile('image.signature'));

    expect(key?.getKeyID().toHex()).toBe(parsed.keyId);
    expect(key?.getFingerprint()).toBe('08cd26e446e2e95249b7a405e932f44b23e8dd43');
  });

  it('leaves creator and timestamp out when the optional object is empty', async () => {
    const parsed = await parseSimpleSigning(signatureFile('no-optional-fields.signature'));

    expect(parsed.signedDigest).toBe(IMAGE_DIGEST);
    expect(parsed).not.toHaveProperty('creator');
    expect(parsed).not.toHaveProperty('timestamp');
  });

  it('reads a signature by a key nobody here holds, since parsing trusts nothing', async () => {
    const parsed = await parseSimpleSigning(signatureFile('unknown-key.signature'));

    expect(parsed.keyId).toBe('5f9470e3bc6c3b55');
    expect(parsed.creator).toBe('atomic 0.1.13-dev');
    expect(parsed.timestamp).toEqual(new Date('2016-05-30T18:37:54Z'));
  });

  it('reads a corrupt signature too: only verification finds it out', async () => {
    const parsed = await parseSimpleSigning(signatureFile('corrupt.signature'));

    expect(parsed.keyId).toBe(TEST_KEY_ID);
    expect(parsed.signedDigest).toBe(IMAGE_DIGEST);
  });

  it('keeps an invalid docker-reference as it is, for the verifier to judge', async () => {
    const parsed = await parseSimpleSigning(signatureFile('invalid-reference.signature'));

    expect(parsed.dockerReference).toBe('UPPERCASEISINVALID');
  });

  it.each([
    ['unsigned-literal.signature', 'the literal data is not signed'],
    ['unsigned-encrypted.signature', 'the message is encrypted, not signed'],
    ['expired.signature', 'payload: not JSON'],
    ['invalid-blob.signature', 'payload: not JSON'],
    ['image.manifest.json', 'not an OpenPGP message'],
  ])('refuses %s with SIGNATURE_INVALID: %s', async (file, reason) => {
    const parsing = parseSimpleSigning(signatureFile(file));

    await expect(parsing).rejects.toMatchObject({ code: 'SIGNATURE_INVALID', message: reason });
  });
});
