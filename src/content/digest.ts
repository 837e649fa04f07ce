import { createHash } from 'node:crypto';
import { SyncError, type ErrorData } from '../errors';

/**
 * Digest grammar of the OCI image spec (descriptor.md#digests), restricted to the algorithms we
 * can verify. Checked before a digest names a file path or a URL, so nothing escapes the store.
 */
const DIGEST_PATTERN = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export type Digest = `${'sha256' | 'sha512'}:${string}`;

export function isDigest(value: string): value is Digest {
  return DIGEST_PATTERN.test(value);
}

/**
 * Splits a digest after checking its grammar; DIGEST_INVALID (quoting at most 200 characters of
 * the value) otherwise. Every digest that names a path or goes into a URL passes through here.
 */
export function parseDigest(value: string, where: ErrorData = {}) {
  if (!isDigest(value)) {
    const quoted = JSON.stringify(value.slice(0, 200));
    throw new SyncError('DIGEST_INVALID', `not a valid digest: ${quoted}`, {
      ...where,
      digest: value.slice(0, 200),
    });
  }
  const [algorithm, hex] = value.split(':') as ['sha256' | 'sha512', string];
  return { algorithm, hex };
}

export function sha256Digest(bytes: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Hashes with the algorithm the expected digest names. */
export function digestOf(bytes: Buffer, algorithm: 'sha256' | 'sha512' = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
