import { readKeys, type PublicKey } from 'openpgp';
import { SyncError } from '../errors';
import { isArmored } from './is-armored';

/**
 * Reads OpenPGP key files (armored or binary; a keyring such as `pubring.gpg` holds several
 * keys). The keys come from configuration, so an unreadable one is CONFIG_INVALID: blaming the
 * signature for it would hide the real problem. Private keys are reduced to their public part.
 */
export async function readPublicKeys(files: readonly Buffer[]): Promise<PublicKey[]> {
  const keys: PublicKey[] = [];
  for (const [index, file] of files.entries()) {
    try {
      const read = isArmored(file)
        ? await readKeys({ armoredKeys: file.toString('utf8') })
        : await readKeys({ binaryKeys: new Uint8Array(file) });
      keys.push(...read.map((key) => key.toPublic()));
    } catch (err) {
      const problem = `public key file ${index} is not an OpenPGP key`;
      throw new SyncError('CONFIG_INVALID', problem, {}, { cause: err });
    }
  }
  return keys;
}
