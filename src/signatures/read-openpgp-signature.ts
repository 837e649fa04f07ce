import { enums, readMessage, type KeyID, type Message, type SignaturePacket } from 'openpgp';
import { SyncError, type ErrorData } from '../errors';
import { isArmored } from './is-armored';

/** What a simple signing blob holds, read with openpgp but not yet verified. */
export interface OpenPgpSignature {
  /** The issuer key id of the message's one signature packet. */
  issuer: KeyID;
  /** The same id as openpgp writes it: 16 lower-case hex digits. */
  keyId: string;
  packet: SignaturePacket;
  /** The signed literal data: the JSON payload, if the signer followed the format. */
  literal: Buffer;
}

/** Packets that mean the literal data sits behind a key: no signature format asks for that. */
const ENCRYPTION_PACKETS = [
  enums.packet.publicKeyEncryptedSessionKey,
  enums.packet.symEncryptedSessionKey,
  enums.packet.symmetricallyEncryptedData,
  enums.packet.symEncryptedIntegrityProtectedData,
  enums.packet.aeadEncryptedData,
];

/**
 * Reads the message, armored or binary. openpgp consumes a message when it verifies it, so each
 * verification reads the bytes again rather than sharing one Message.
 */
export async function readOpenPgpMessage(
  bytes: Buffer,
  where: ErrorData = {},
): Promise<Message<string | Uint8Array>> {
  try {
    if (isArmored(bytes)) return await readMessage({ armoredMessage: bytes.toString('utf8') });
    return await readMessage({ binaryMessage: new Uint8Array(bytes) });
  } catch (err) {
    throw new SyncError('SIGNATURE_INVALID', 'not an OpenPGP message', where, { cause: err });
  }
}

/**
 * containers/image docs/containers-signature.5.md, "OpenPGP signature verification": the blob
 * must be a Signed Message (RFC 4880 section 11.3). Encrypted or unsigned messages are refused
 * here, so parsing fails for them and a verifier reports the same reason as `invalid`.
 */
export async function readOpenPgpSignature(
  bytes: Buffer,
  where: ErrorData = {},
): Promise<OpenPgpSignature> {
  const fail = (problem: string) => new SyncError('SIGNATURE_INVALID', problem, where);
  const message = await readOpenPgpMessage(bytes, where);

  if (message.packets.filterByTag(...ENCRYPTION_PACKETS).length > 0) {
    throw fail('the message is encrypted, not signed');
  }
  const literal = message.getLiteralData();
  if (literal === null) throw fail('the message holds no literal data');

  // Verifying against no key is how openpgp hands out the signature packets of a one-pass
  // signed message (they trail the data); each result's `verified` then rejects, unobserved.
  const results = await message.verify([]).catch((err: unknown) => {
    throw new SyncError('SIGNATURE_INVALID', 'not a signed message', where, { cause: err });
  });
  if (results.length === 0) throw fail('the literal data is not signed');
  if (results.length > 1) throw fail(`${results.length} signatures; simple signing has one`);
  const [result] = results as [(typeof results)[number]];
  result.verified.catch(() => undefined);
  const packet = await result.signature.then(
    (signature) => signature.packets[0],
    () => undefined,
  );
  if (packet === undefined) throw fail('the signature packet cannot be read');

  return {
    issuer: packet.issuerKeyID,
    keyId: packet.issuerKeyID.toHex(),
    packet,
    literal: Buffer.from(literal),
  };
}
