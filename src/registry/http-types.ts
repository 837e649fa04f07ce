import type { Readable } from 'node:stream';
import type { ErrorData } from '../errors';

export interface HttpRequest {
  method: 'GET' | 'HEAD';
  url: URL;
  headers?: Record<string, string>;
  /** Bytes exactly as sent (no Content-Encoding decoding): blobs are hashed as stored. */
  raw?: boolean;
  /** Where the request belongs (repository, reference), for the errors it raises. */
  context?: ErrorData;
  /**
   * Whether a redirect may lead to another origin. Only blob GETs set it: registries send
   * those to object storage or a CDN. Tag lists, manifests and API calls that leave the
   * registry's origin would let another host decide what we trust, so they are refused.
   */
  crossOriginRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  /** The URL that answered, after redirects. */
  url: URL;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Always a stream, so the caller decides how much of it to read; it must read or discard it. */
  body: Readable;
}

/**
 * Sends one logical request (redirects and auth challenges inside). Retries, Retry-After and
 * per-host limits can wrap a Transport in their own modules without touching the client.
 */
export interface Transport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** Lets a response go without reading it, so its socket is reused or closed. */
export function discard(response: HttpResponse): void {
  response.body.resume();
}
