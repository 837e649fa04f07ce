import { createMessage, generateKey, sign, type PrivateKey, type PublicKey } from 'openpgp';
import { parseSimpleSigning } from '../../../src/signatures/parse-simple-signing';
import { verifySimpleSigning } from '../../../src/signatures/verify-simple-signing';

/**
 * Signatures made here with keys made here: the cases the shipped fixtures lack (an expired key,
 * an armored message, payloads that break the format), with no files needed.
 */
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const KEY_CREATED = new Date('2020-01-01T00:00:00Z');
const SIGNED_AT = new Date('2020-01-01T01:00:00Z');
const NOW = new Date('2024-01-01T00:00:00Z');

function payload(critical: Record<string, unknown> = {}, optional: unknown = {}) {
  return JSON.stringify({
    critical: {
      type: 'atomic container signature',
      image: { 'docker-manifest-digest': DIGEST },
      identity: { 'docker-reference': 'registry.example:5000/team/app:1.0' },
      ...critical,
    },
    optional,
  });
}

async function makeKey(keyExpirationTime = 0) {
  const pair = await generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name: 'container-sync test' }],
    date: KEY_CREATED,
    keyExpirationTime,
    format: 'object',
  });
  return { privateKey: pair.privateKey, publicKey: pair.publicKey };
}

async function signBinary(text: string, key: PrivateKey, date = SIGNED_AT): Promise<Buffer> {
  const message = await createMessage({ binary: Buffer.from(text) });
  return Buffer.from(await sign({ message, signingKeys: key, date, format: 'binary' }));
}

const armoredKey = (key: PublicKey) => Buffer.from(key.armor());

describe('verifySimpleSigning on signatures made here', () => {
  let key: Awaited<ReturnType<typeof makeKey>>;
  beforeAll(async () => {
    key = await makeKey();
  });

  const verify = (bytes: Buffer, publicKey: PublicKey = key.publicKey, reference?: string) =>
    verifySimpleSigning(bytes, {
      publicKeys: [armoredKey(publicKey)],
      manifestDigest: DIGEST,
      now: NOW,
      ...(reference === undefined ? {} : { expectedReference: reference }),
    });

  it('verifies an armored message as well as a binary one, with an armored key', async () => {
    const message = await createMessage({ binary: Buffer.from(payload()) });
    const armored = await sign({ message, signingKeys: key.privateKey, date: SIGNED_AT });

    const parsed = await parseSimpleSigning(Buffer.from(armored));
    const verdict = await verify(
      Buffer.from(armored),
      key.publicKey,
      'registry.example:5000/team/app',
    );

    expect(parsed.keyId).toBe(key.publicKey.getKeyID().toHex());
    expect(parsed.dockerReference).toBe('registry.example:5000/team/app:1.0');
    expect(verdict).toEqual({ status: 'valid' });
  });

  it('finds a signature by a key that has expired since invalid, naming when', async () => {
    const shortLived = await makeKey(86_400);
    const bytes = await signBinary(payload(), shortLived.privateKey);

    const verdict = await verify(bytes, shortLived.publicKey);

    const keyId = shortLived.publicKey.getKeyID().toHex();
    expect(verdict).toEqual({
      status: 'invalid',
      reason: `key ${keyId} expired at 2020-01-02T00:00:00.000Z`,
    });
  });

  it('finds a signature from the future invalid', async () => {
    const bytes = await signBinary(payload(), key.privateKey, new Date('2030-01-01T00:00:00Z'));

    const verdict = await verify(bytes);

    expect(verdict).toEqual({
      status: 'invalid',
      reason: 'signature created in the future, at 2030-01-01T00:00:00.000Z',
    });
  });

  it('finds a signature by a key that was not given invalid, as unknown', async () => {
    const other = await makeKey();
    const bytes = await signBinary(payload(), other.privateKey);

    const verdict = await verify(bytes, key.publicKey);

    const otherId = other.publicKey.getKeyID().toHex();
    expect(verdict).toEqual({
      status: 'invalid',
      reason: `unknown key: ${otherId} is not among the given public keys`,
    });
  });

  it.each([
    [
      'another critical.type',
      payload({ type: 'cosign container image signature' }),
      'payload: critical.type: Invalid input: expected "atomic container signature"',
    ],
    [
      'an unknown critical member',
      payload({ extra: true }),
      'payload: critical: Unrecognized key: "extra"',
    ],
    [
      'a digest that is no digest',
      payload({ image: { 'docker-manifest-digest': 'sha256' } }),
      'payload: critical.image.docker-manifest-digest: not a digest',
    ],
    [
      'a timestamp that is not a number',
      payload({}, { timestamp: '2020' }),
      'payload: optional.timestamp: Invalid input: expected number, received string',
    ],
    [
      'no optional object',
      JSON.stringify({ critical: JSON.parse(payload()).critical }),
      'payload: optional: Invalid input: expected object, received undefined',
    ],
  ])('finds a payload with %s invalid after the signature verified', async (_, text, reason) => {
    const bytes = await signBinary(text, key.privateKey);

    const verdict = await verify(bytes);

    expect(verdict).toEqual({ status: 'invalid', reason });
  });

  it('refuses two literal data packets in a row, against the OpenPGP message grammar', async () => {
    const literal = async (text: string) =>
      Buffer.from((await createMessage({ binary: Buffer.from(text) })).write() as Uint8Array);
    const bytes = Buffer.concat([await literal(payload()), await literal(payload())]);

    const verdict = await verify(bytes);

    expect(verdict).toEqual({ status: 'invalid', reason: 'not an OpenPGP message' });
  });

  it('keeps unknown optional members and reads creator and timestamp', async () => {
    const text = payload({}, { creator: 'skopeo 1.9', timestamp: 1_700_000_000, note: 'x' });
    const bytes = await signBinary(text, key.privateKey);

    const parsed = await parseSimpleSigning(bytes);

    expect(parsed.creator).toBe('skopeo 1.9');
    expect(parsed.timestamp).toEqual(new Date('2023-11-14T22:13:20Z'));
  });
});
