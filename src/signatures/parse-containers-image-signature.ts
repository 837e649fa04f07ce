import { z } from 'zod';
import { checkSchema } from '../content/schema-check';
import { SyncError } from '../errors';
import type { SignatureType } from './signature-types';

/** One signature as containers/image stores it beside an image (`signature-N` files). */
export interface ContainersImageSignature {
  format: SignatureType;
  /** Simple signing: the OpenPGP message. Cosign: the signed payload, decoded. */
  payload: Buffer;
  /** Cosign: the layer media type the signature came from. */
  mediaType?: string;
  /** Cosign: the layer annotations, the signature among them. */
  annotations?: Record<string, string>;
}

/** Format names of containers/image's signature blobs (signature/internal/signature.go). */
const FORMAT_NAMES: Record<string, SignatureType> = {
  'simple-signing': 'simple_signing',
  'sigstore-json': 'cosign',
};

/** The sigstore-json record: Go's JSON of a mime type, the payload bytes, and annotations. */
const SigstoreRecordSchema = z.object({
  mimeType: z.string(),
  payload: z.base64(),
  annotations: z.record(z.string(), z.string()).nullable().optional(),
});

/**
 * Reads a signature file of the containers/image layouts (`dir:` images, lookaside storage).
 * Simple signing files are the bare OpenPGP message, as they were before there was any other
 * format, and are recognized by their first packet; every other format starts with a zero byte,
 * its name and a newline. The payload is returned unread: the parsers of each format judge it.
 */
export function parseContainersImageSignature(bytes: Buffer): ContainersImageSignature {
  const fail = (problem: string) => new SyncError('SIGNATURE_INVALID', problem);
  const first = bytes[0];
  if (first === undefined) throw fail('empty signature file');
  if (first !== 0) {
    if (!startsOpenPgpSignedMessage(first)) {
      throw fail(`unrecognized signature format, starting with byte 0x${first.toString(16)}`);
    }
    return { format: 'simple_signing', payload: bytes };
  }

  const newline = bytes.indexOf(0x0a);
  if (newline === -1) throw fail('signature format header has no newline');
  const name = bytes.subarray(1, newline).toString('latin1');
  const format = Object.hasOwn(FORMAT_NAMES, name) ? FORMAT_NAMES[name] : undefined;
  if (format === undefined) throw fail(`unrecognized signature format ${JSON.stringify(name)}`);
  const body = bytes.subarray(newline + 1);
  if (format === 'simple_signing') return { format, payload: body };

  let record: unknown;
  try {
    record = JSON.parse(body.toString('utf8'));
  } catch {
    throw fail('sigstore-json signature is not JSON');
  }
  const { mimeType, payload, annotations } = checkSchema(SigstoreRecordSchema, record, (problem) =>
    fail(`sigstore-json signature: ${problem}`),
  );
  return {
    format,
    payload: Buffer.from(payload, 'base64'),
    mediaType: mimeType,
    annotations: annotations ?? {},
  };
}

/**
 * The packets a signed message can open with (RFC 4880 section 4.2 packet tags): compressed data
 * (8), a one-pass signature (4) or a signature (2). Bit 6 chooses the new or the old header format.
 */
function startsOpenPgpSignedMessage(byte: number): boolean {
  if ((byte & 0x80) === 0) return false;
  const tag = byte & 0x40 ? byte & 0x3f : (byte >> 2) & 0x0f;
  return tag === 8 || tag === 4 || tag === 2;
}
