import type { Readable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { EMPTY, concatMap, defer, expand, type Observable } from 'rxjs';
import { isDigest, parseDigest, type Digest } from '../content/digest';
import { MANIFEST_ACCEPT, bareMediaType } from '../content/media-types';
import { checkSchema } from '../content/schema-check';
import { crashPoint } from '../crash-points';
import { SyncError, type ErrorData } from '../errors';
import { AnonymousAuth } from './anonymous-auth';
import type { Authenticator } from './authenticator';
import { BasicAuth, type Credentials } from './basic-auth';
import { HttpClient } from './http-client';
import { discard, type HttpRequest, type HttpResponse, type Transport } from './http-types';
import { nextLink } from './link';
import type { RateLimiters } from './resilience/rate-limiter';
import { resumableBlob } from './resilience/resumable-blob';
import { type RetryOptions, RetryingTransport } from './resilience/retrying-transport';
import { readBody } from './read-body';
import { fetchReferrers } from './referrers';
import { isManifestReference, isRepositoryName } from './reference';
import { responseError } from './response-error';
import { safeUrl } from './safe-url';
import { TagsPageSchema } from './tags-page';
import type { TlsAgentOptions } from './tls-options';
import {
  type FetchedManifest,
  type ManifestHead,
  noRequests,
  type RequestKind,
  type Upstream,
} from './upstream';
import { verifyManifestDigest } from './verify-manifest-digest';

/** The registry refuses manifest PUTs over 4 MiB, so a larger GET body is not a manifest. */
const MANIFEST_CAP = 4 * 1024 * 1024;
/** A registry without pagination sends every tag at once; this still bounds that page. */
const TAGS_PAGE_CAP = 32 * 1024 * 1024;

export interface RegistryClientOptions {
  /** `https://host[:port]`; credentials never belong in it. */
  registryUrl: string;
  repository: string;
  credentials?: Credentials;
  logger?: Logger;
  /** Open sockets to the registry (and to each redirect host). */
  maxSockets?: number;
  /** Replaces the Basic/anonymous choice, e.g. with bearer token auth. */
  authenticator?: Authenticator;
  /** Replaces the HTTP client, e.g. with one wrapped in retries. */
  transport?: Transport;
  /** Certificate settings for the client this instance makes (see readTlsFiles). */
  tls?: TlsAgentOptions;
  /** Tunes the retries around the client this instance makes; `false` sends requests once. */
  retry?: RetryOptions | false;
  /** Per-host request rates, one set shared by every client the app makes. */
  rateLimiters?: RateLimiters;
  /** Further requests for a blob whose body failed mid-way (default 3); 0 turns resuming off. */
  blobResumes?: number;
}

/** One repository of a registry speaking the distribution API (distribution-spec/spec.md). */
export class RegistryClient implements Upstream {
  readonly description: string;
  readonly requests: Record<RequestKind, number> = noRequests();

  readonly #base: string;
  readonly #repository: string;
  readonly #where: ErrorData;
  readonly #anonymous: boolean;
  readonly #http: Transport;
  readonly #owned?: HttpClient;
  readonly #log: Logger;
  readonly #blobResumes: number;
  #noReferrersApi = false;

  constructor(options: RegistryClientOptions) {
    const registryUrl = parseRegistryUrl(options.registryUrl);
    if (!isRepositoryName(options.repository)) {
      throw new SyncError('CONFIG_INVALID', `not a repository name: ${options.repository}`, {
        repository: options.repository,
      });
    }
    this.#base = `${registryUrl.origin}${registryUrl.pathname.replace(/\/+$/, '')}`;
    this.#repository = options.repository;
    this.description = `${this.#base}/${options.repository}`;
    this.#where = { registry: registryUrl.host, repository: options.repository };
    this.#anonymous = !options.credentials && !options.authenticator;
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'registry-client',
      ...this.#where,
    });

    if (options.transport) {
      this.#http = options.transport;
    } else {
      const authenticator =
        options.authenticator ??
        (options.credentials ? new BasicAuth(options.credentials) : new AnonymousAuth());
      this.#owned = new HttpClient({
        registryUrl,
        authenticator,
        maxSockets: options.maxSockets,
        tls: options.tls,
      });
      this.#http =
        options.retry === false
          ? this.#owned
          : new RetryingTransport(this.#owned, {
              ...options.retry,
              logger: this.#log,
              rateLimiters: options.rateLimiters,
            });
    }
    this.#blobResumes = options.blobResumes ?? 3;
  }

  /** GET /v2/ (distribution-spec, "Determining support"): reachable, speaking v2, letting us in. */
  async ping(): Promise<void> {
    const request = this.#request('ping', '/v2/', {});
    const response = await this.#send(request);
    if (response.status === 200) {
      discard(response);
      return;
    }

    if (response.status === 401 && this.#anonymous) {
      discard(response);
      throw new SyncError('AUTH_FAILED', 'registry requires credentials and none were given', {
        ...request.context,
        url: safeUrl(response.url),
        status: 401,
      });
    }
    throw await responseError(request, response, 'registry check failed');
  }

  /**
   * The referrers API; after the first answer that shows the registry has none, no more asking
   * (then the referrers tag schema is used).
   */
  async referrers(digest: Digest): Promise<string[] | undefined> {
    if (this.#noReferrersApi) return undefined;
    const found = await fetchReferrers(this, digest);
    if (found === undefined) this.#noReferrersApi = true;
    return found;
  }

  /**
   * A GET of an API extension under this registry (signatures, referrers): the status, the
   * headers and, for a 2xx answer, the body up to `maxBytes`. Other statuses are the caller's
   * to interpret, since an extension the registry lacks answers 404 or 405.
   */
  async getExtension(
    path: string,
    options: { accept?: string; maxBytes: number; reference?: string },
  ): Promise<{ status: number; headers: HttpResponse['headers']; body?: Buffer }> {
    const headers: Record<string, string> = options.accept ? { Accept: options.accept } : {};
    const request: HttpRequest = {
      ...this.#request('other', path.replace('<name>', this.#repository), {
        reference: options.reference,
      }),
      headers,
    };
    const response = await this.#send(request);
    if (response.status < 200 || response.status >= 300) {
      discard(response);
      return { status: response.status, headers: response.headers };
    }
    const body = await readBody(response.body, options.maxBytes);
    if (!body) {
      throw new SyncError('REGISTRY_ERROR', `answer larger than ${options.maxBytes} bytes`, {
        ...request.context,
        url: safeUrl(response.url),
      });
    }
    return { status: response.status, headers: response.headers, body };
  }

  /** Every tag, following `Link: rel="next"` to the last page. */
  listTags(): Observable<string> {
    return defer(() => {
      const visited = new Set<string>();
      const first = new URL(`${this.#base}/v2/${this.#repository}/tags/list`);
      return defer(() => this.#tagsPage(first, visited)).pipe(
        expand((page) => (page.next ? defer(() => this.#tagsPage(page.next!, visited)) : EMPTY)),
        concatMap((page) => page.tags),
      );
    });
  }

  async headManifest(reference: string): Promise<ManifestHead | undefined> {
    const request = this.#manifestRequest('manifestHead', 'HEAD', reference);
    const response = await this.#send(request);
    if (response.status !== 200 && response.status !== 404) {
      throw await responseError(request, response, 'manifest HEAD');
    }
    discard(response);
    if (response.status === 404) return undefined;

    const length = Number(response.headers['content-length']);
    return {
      digest: this.#reportedDigest(response, reference),
      mediaType: bareMediaType(response.headers['content-type']),
      size: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
    };
  }

  async getManifest(reference: string, expectedDigest?: Digest): Promise<FetchedManifest> {
    const request = this.#manifestRequest('manifestGet', 'GET', reference);
    const response = await this.#send(request);
    if (response.status !== 200) throw await responseError(request, response, 'manifest GET');

    const bytes = await this.#readManifest(request, response);
    const digest = verifyManifestDigest({
      bytes,
      reference,
      expectedDigest,
      reportedDigest: this.#reportedDigest(response, reference),
      where: { ...request.context, url: safeUrl(response.url), status: response.status },
    });
    const contentType = bareMediaType(response.headers['content-type']);
    return contentType ? { digest, bytes, contentType } : { digest, bytes };
  }

  /** GET of a blob, redirects followed (object storage hosts get no Authorization). */
  blobUrl(digest: Digest): string {
    parseDigest(digest, this.#where);
    return `${this.#base}/v2/${this.#repository}/blobs/${digest}`;
  }

  async fetchBlob(digest: Digest): Promise<Readable> {
    parseDigest(digest, this.#where);
    const path = `/v2/${this.#repository}/blobs/${digest}`;
    const request = this.#blobRequest(path, digest);
    const response = await this.#send(request);
    if (response.status !== 200) throw await responseError(request, response, 'blob GET');
    if (this.#blobResumes <= 0) return response.body;

    return resumableBlob(response, {
      maxResumes: this.#blobResumes,
      logger: this.#log.child({ digest }),
      where: request.context,
      reopen: async (offset) => {
        const again = this.#blobRequest(path, digest);
        if (offset > 0) again.headers = { Range: `bytes=${offset}-` };
        const answer = await this.#send(again);
        if (answer.status !== 200 && answer.status !== 206) {
          throw await responseError(again, answer, 'blob GET');
        }
        return answer;
      },
    });
  }

  /** Closes idle sockets of the client this instance made (an injected transport is left open). */
  close(): void {
    this.#owned?.close();
  }

  async #tagsPage(url: URL, visited: Set<string>) {
    if (visited.has(url.href)) {
      throw new SyncError('REGISTRY_ERROR', 'tag list pages link back to an earlier page', {
        ...this.#where,
        url: safeUrl(url),
      });
    }
    visited.add(url.href);
    this.requests.tags += 1;

    const request: HttpRequest = {
      method: 'GET',
      url,
      headers: { Accept: 'application/json' },
      context: this.#where,
    };
    const response = await this.#send(request);
    if (response.status !== 200) throw await responseError(request, response, 'tag list');
    const bytes = await readBody(response.body, TAGS_PAGE_CAP);
    const where = { ...this.#where, url: safeUrl(response.url), status: response.status };
    const fail = (problem: string) =>
      new SyncError('REGISTRY_ERROR', `tag list: ${problem}`, where);
    if (!bytes) throw fail(`page over ${TAGS_PAGE_CAP} bytes`);

    const page = checkSchema(TagsPageSchema, parseJson(bytes, fail), fail);
    crashPoint('tags.page', { tags: page.tags.length });
    return { tags: page.tags, next: nextLink(response.headers.link, url) };
  }

  async #readManifest(request: HttpRequest, response: HttpResponse): Promise<Buffer> {
    const tooLarge = () =>
      new SyncError('MANIFEST_TOO_LARGE', `manifest is over ${MANIFEST_CAP} bytes`, {
        ...request.context,
        url: safeUrl(response.url),
        status: response.status,
      });
    if (Number(response.headers['content-length']) > MANIFEST_CAP) {
      response.body.destroy();
      throw tooLarge();
    }
    const bytes = await readBody(response.body, MANIFEST_CAP);
    if (!bytes) throw tooLarge();
    return bytes;
  }

  /** A `Docker-Content-Digest` that is not a digest is ignored (and said so), not trusted. */
  #reportedDigest(response: HttpResponse, reference: string): Digest | undefined {
    const reported = response.headers['docker-content-digest']?.trim();
    if (reported === undefined || isDigest(reported)) return reported;
    this.#log.warn({ reference, header: reported.slice(0, 200) }, 'invalid Docker-Content-Digest');
    return undefined;
  }

  /**
   * A reference goes into the URL path only after its grammar is checked: a tag cannot hold a
   * `:`, so one that does is judged as a digest (DIGEST_INVALID), anything else as a tag.
   */
  #manifestRequest(kind: RequestKind, method: 'GET' | 'HEAD', reference: string): HttpRequest {
    if (reference.includes(':')) {
      parseDigest(reference, { ...this.#where, reference: reference.slice(0, 200) });
    }
    if (!isManifestReference(reference)) {
      throw new SyncError('REFERENCE_INVALID', `not a tag or digest: ${reference.slice(0, 200)}`, {
        ...this.#where,
        reference: reference.slice(0, 200),
      });
    }
    const path = `/v2/${this.#repository}/manifests/${reference}`;
    return {
      ...this.#request(kind, path, { reference }),
      method,
      headers: { Accept: MANIFEST_ACCEPT.join(', ') },
    };
  }

  /** Raw bytes, and the one request whose redirects may leave the registry (object storage). */
  #blobRequest(path: string, digest: Digest): HttpRequest {
    return { ...this.#request('blobGet', path, { digest }), raw: true, crossOriginRedirects: true };
  }

  #request(kind: RequestKind, path: string, context: ErrorData): HttpRequest {
    this.requests[kind] += 1;
    return {
      method: 'GET',
      url: new URL(`${this.#base}${path}`),
      context: { ...this.#where, ...context },
    };
  }

  async #send(request: HttpRequest): Promise<HttpResponse> {
    const started = Date.now();
    const response = await this.#http.send(request);
    this.#log.debug(
      {
        method: request.method,
        url: safeUrl(response.url),
        status: response.status,
        ms: Date.now() - started,
      },
      'registry request',
    );
    return response;
  }
}

function parseRegistryUrl(value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search) {
    throw new SyncError('CONFIG_INVALID', `registry URL must be http(s)://host[:port]: ${value}`);
  }
  if (url.username || url.password) {
    throw new SyncError('CONFIG_INVALID', 'registry URL must not carry credentials', {
      registry: url.host,
    });
  }
  return url;
}

function parseJson(bytes: Buffer, fail: (problem: string) => Error): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw fail('not JSON');
  }
}
