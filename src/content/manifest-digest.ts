import type { ErrorData } from '../errors';
import { digestOf, type Digest } from './digest';
import { isSignedSchema1, schema1Payload } from './schema1';

/**
 * The digest a registry reports for these manifest bytes (`Docker-Content-Digest`): the hash of
 * the bytes, except for signed schema 1, whose digest is that of the payload without signatures.
 * Bytes that are not JSON are hashed as they are; the parser reports them.
 */
export function manifestDigest(
  bytes: Buffer,
  algorithm: 'sha256' | 'sha512' = 'sha256',
  where: ErrorData = {},
): Digest {
  const document = parseJsonOrUndefined(bytes);
  const payload = isSignedSchema1(document) ? schema1Payload(bytes, document, where) : bytes;
  return digestOf(payload, algorithm);
}

function parseJsonOrUndefined(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
