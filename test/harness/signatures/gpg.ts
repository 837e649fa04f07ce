import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from './run-tool';

export interface GpgKey {
  /** The GNUPGHOME holding the secret key; hand `env` to any tool that should sign with it. */
  home: string;
  env: NodeJS.ProcessEnv;
  /** 40 upper-case hex digits, as `--sign-by` takes it. */
  fingerprint: string;
  /**
   * The last 16 hex digits of the fingerprint in lower case: the issuer key id a signature by
   * this key carries (the primary key signs; there is no signing subkey) and what the
   * verifiers report.
   */
  keyId: string;
  /** The public key as `gpg --export` writes it (binary packets). */
  publicKey: Buffer;
  /** The same key, ASCII-armored. */
  armoredPublicKey: Buffer;
  /** Stops the gpg-agent this home started and removes the home. */
  cleanup(): Promise<void>;
}

export interface GpgKeyOptions {
  /** The user id; a fixed test identity unless given. */
  userId?: string;
  /**
   * `ed25519` is the default: made in milliseconds. `rsa3072`, gpg 2.2's own default, takes a
   * second or two of prime search.
   */
  algorithm?: 'ed25519' | 'rsa3072';
}

/** `fpr` records of `--with-colons` output (gnupg doc/DETAILS): field 10 is the fingerprint. */
function primaryFingerprint(colons: string): string {
  const lines = colons.split('\n');
  const pub = lines.findIndex((line) => line.startsWith('pub:'));
  const fpr = lines.slice(pub + 1).find((line) => line.startsWith('fpr:'));
  const fingerprint = fpr?.split(':')[9];
  if (pub === -1 || fingerprint === undefined || !/^[0-9A-F]{40}$/.test(fingerprint)) {
    throw new Error(`gpg listed no primary key fingerprint:\n${colons}`);
  }
  return fingerprint;
}

/**
 * Makes a fresh signing key with no passphrase and no expiry in a temporary GNUPGHOME, so tests
 * sign with a key of their own and never touch the user's keyring. The home lives under the OS
 * temp dir because gpg-agent's socket path must stay short.
 */
export async function createGpgKey(options: GpgKeyOptions = {}): Promise<GpgKey> {
  const home = await mkdtemp(join(tmpdir(), 'cs-gpg-'));
  const env = { ...process.env, GNUPGHOME: home };
  const cleanup = async () => {
    // The agent outlives gpg; left running it would hold the removed home's socket.
    await runTool('gpgconf', ['--kill', 'all'], env).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  };

  try {
    const userId = options.userId ?? 'container-sync test <signer@example.invalid>';
    const algorithm = options.algorithm ?? 'ed25519';
    await runTool(
      'gpg',
      ['--batch', '--passphrase', '', '--quick-gen-key', userId, algorithm, 'sign', 'never'],
      env,
    );
    const listed = await runTool('gpg', ['--batch', '--with-colons', '--list-keys', userId], env);
    const fingerprint = primaryFingerprint(listed.stdout.toString('utf8'));
    const exported = await runTool('gpg', ['--batch', '--export', fingerprint], env);
    const armored = await runTool('gpg', ['--batch', '--armor', '--export', fingerprint], env);
    return {
      home,
      env,
      fingerprint,
      keyId: fingerprint.slice(-16).toLowerCase(),
      publicKey: exported.stdout,
      armoredPublicKey: armored.stdout,
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
