import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { SyncError, type ErrorData } from '../../errors';
import { discard, type HttpResponse } from '../http-types';

export interface ResumableBlobOptions {
  /**
   * Asks for the blob again: from `offset` with `Range: bytes=<offset>-`, or whole when
   * `offset` is 0 (no Range header). Answers other than 200 and 206 are thrown by it.
   */
  reopen(offset: number): Promise<HttpResponse>;
  /** Requests after the first one, whether they resume or start over. */
  maxResumes?: number;
  logger?: Logger;
  where?: ErrorData;
}

/**
 * A blob body that outlives a dropped connection or an idle timeout: when an attempt fails
 * after some bytes, the next one asks for the rest with a Range request. A registry that
 * answers 206 with a `Content-Range` starting at that offset continues the stream; one that
 * ignores Range (200) or names another range is read from the start again, its first bytes
 * skipped. Nothing here trusts the stitched bytes: the blob store hashes the whole stream, so
 * a wrong continuation ends as DIGEST_MISMATCH, never as a stored blob.
 */
export function resumableBlob(first: HttpResponse, options: ResumableBlobOptions): Readable {
  return Readable.from(stitch(first, options), { objectMode: false });
}

async function* stitch(first: HttpResponse, options: ResumableBlobOptions) {
  const maxResumes = options.maxResumes ?? 3;
  const total = declaredLength(first);
  let body = first.body;
  let received = 0;
  // Bytes of a restarted attempt that the reader already has.
  let skip = 0;

  for (let resumes = 0; ;) {
    let failure: unknown;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const fresh = skip > 0 ? chunk.subarray(Math.min(skip, chunk.length)) : chunk;
        skip -= chunk.length - fresh.length;
        if (fresh.length === 0) continue;
        received += fresh.length;
        yield fresh;
      }
      // A body that ends early without an error (a proxy closing cleanly) is also a failure.
      if (total === undefined || received >= total) return;
      failure = new Error(`body ended after ${received} of ${total} bytes`);
    } catch (err) {
      failure = err;
    }

    if (resumes >= maxResumes) {
      throw new SyncError(
        'BLOB_INCOMPLETE',
        `blob body failed after ${received} bytes and ${resumes} resumes`,
        options.where,
        { cause: failure },
      );
    }
    resumes += 1;
    options.logger?.warn({ received, resumes, err: failure }, 'resuming blob download');

    const next = await options.reopen(received);
    if (next.status === 206 && rangeStart(next) === received) {
      body = next.body;
      skip = 0;
    } else if (next.status === 200) {
      body = next.body;
      skip = received;
    } else {
      // A 206 for some other range: take the whole blob rather than guess at the offsets.
      // Both requests count as one resume; the bound stays the same.
      discard(next);
      const whole = await options.reopen(0);
      body = whole.body;
      skip = received;
    }
  }
}

/** `Content-Length` of a 200 answer: the whole blob. */
function declaredLength(response: HttpResponse): number | undefined {
  const length = Number(response.headers['content-length']);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** The first byte of `Content-Range: bytes <first>-<last>/<size>` (RFC 9110 section 14.4). */
function rangeStart(response: HttpResponse): number | undefined {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(
    response.headers['content-range']?.trim() ?? '',
  );
  return match ? Number(match[1]) : undefined;
}
