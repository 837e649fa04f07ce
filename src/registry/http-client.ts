import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { failWhenIdle } from './idle-timeout';
import { SyncError } from '../errors';
import type { AuthRequest, Authenticator } from './authenticator';
import { discard, type HttpRequest, type HttpResponse, type Transport } from './http-types';
import { safeUrl } from './safe-url';
import { certificateProblem, type TlsAgentOptions } from './tls-options';

export interface HttpClientOptions {
  /** Credentials go only to this origin. */
  registryUrl: URL;
  authenticator: Authenticator;
  /** Open sockets per host; keep-alive sockets are reused across requests. */
  maxSockets?: number;
  /** Socket inactivity before a request fails as unreachable. */
  timeoutMs?: number;
  maxRedirects?: number;
  userAgent?: string;
  /**
   * For https connections to the registry and to every host it redirects to: the agent is one
   * per client, and a redirect target (object storage) is commonly public, which the default
   * roots kept beside a `ca` still verify.
   */
  tls?: TlsAgentOptions;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * The one place requests leave the process. Redirects are followed here rather than by axios so
 * that credentials are re-decided at every hop: a blob GET commonly redirects to object storage
 * on another host, which must not receive the registry's Authorization header. Only requests
 * that say so (blob GETs) may be redirected off the registry's origin; any other such redirect
 * is REDIRECT_REFUSED before the target is asked anything. Statuses are not judged here either;
 * callers know which ones their request expects.
 */
export class HttpClient implements Transport {
  readonly #axios: AxiosInstance;
  readonly #agents: { http: http.Agent; https: https.Agent };
  readonly #origin: string;
  readonly #authenticator: Authenticator;
  readonly #maxRedirects: number;
  readonly #timeoutMs: number;

  constructor(options: HttpClientOptions) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8 };
    this.#agents = {
      http: new http.Agent(agentOptions),
      https: new https.Agent({ ...agentOptions, ...options.tls }),
    };
    this.#origin = options.registryUrl.origin;
    this.#authenticator = options.authenticator;
    this.#maxRedirects = options.maxRedirects ?? 5;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#axios = axios.create({
      httpAgent: this.#agents.http,
      httpsAgent: this.#agents.https,
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'stream',
      timeout: this.#timeoutMs,
      headers: { 'User-Agent': options.userAgent ?? 'container-sync' },
    });
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const response = await this.#follow(request);
    if (response.status !== 401) return response;

    // A new credential (a bearer token for the challenged scope) deserves exactly one more try.
    const auth: AuthRequest = { method: request.method, url: request.url };
    if (!(await this.#authenticator.challenged(auth, response.headers['www-authenticate']))) {
      return response;
    }
    discard(response);
    return this.#follow(request);
  }

  /** Closes idle keep-alive sockets; in-flight requests finish. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  async #follow(request: HttpRequest): Promise<HttpResponse> {
    let { url, method } = request;
    for (let hop = 0; ; hop++) {
      const auth =
        url.origin === this.#origin ? await this.#authenticator.authorize({ method, url }) : {};
      const response = await this.#exchange({ ...request, method, url }, auth);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.status) || location === undefined) return response;

      discard(response);
      if (hop >= this.#maxRedirects) {
        throw new SyncError('REGISTRY_ERROR', `more than ${this.#maxRedirects} redirects`, {
          ...request.context,
          url: safeUrl(request.url),
          status: response.status,
        });
      }
      url = redirectTarget(location, url, request);
      if (url.origin !== this.#origin && !request.crossOriginRedirects) {
        throw new SyncError(
          'REDIRECT_REFUSED',
          `${request.method} ${safeUrl(request.url)} redirected to another origin: ${url.origin}`,
          { ...request.context, url: safeUrl(url), status: response.status },
        );
      }
      // RFC 9110 15.4.4: a 303 is answered with a GET; the others repeat the method.
      if (response.status === 303 && method !== 'HEAD') method = 'GET';
    }
  }

  async #exchange(request: HttpRequest, auth: Record<string, string>): Promise<HttpResponse> {
    const headers = { ...request.headers, ...auth };
    const url = safeUrl(request.url);
    if (request.raw) headers['Accept-Encoding'] = 'identity';
    try {
      const response = await this.#axios.request({
        method: request.method,
        url: request.url.href,
        headers,
        decompress: !request.raw,
      });
      return {
        status: response.status,
        url: request.url,
        headers: plainHeaders(response.headers as Record<string, unknown>),
        body: failWhenIdle(response.data, this.#timeoutMs, `${request.method} ${url}`),
      };
    } catch (err) {
      throw unreachable(err, request);
    }
  }
}

function redirectTarget(location: string, from: URL, request: HttpRequest): URL {
  const target = URL.canParse(location, from.href) ? new URL(location, from) : undefined;
  if (target?.protocol !== 'http:' && target?.protocol !== 'https:') {
    throw new SyncError('REGISTRY_ERROR', 'redirect to a location that is not an http(s) URL', {
      ...request.context,
      url: safeUrl(from),
    });
  }
  return target;
}

function plainHeaders(headers: Record<string, unknown>): Record<string, string | undefined> {
  const plain: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    plain[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return plain;
}

/**
 * A network failure as a SyncError. The axios error is not kept as the cause: its `config`
 * holds the request headers, Authorization included, and would be logged with the error.
 */
function unreachable(err: unknown, request: HttpRequest): SyncError {
  const code = isAxiosError(err) ? err.code : undefined;
  // OpenSSL's messages end in a newline.
  const message = (err instanceof Error ? err.message : String(err)).trim();
  const url = safeUrl(request.url);
  const problem = certificateProblem(code);
  // A certificate problem has its own code: retrying cannot mend it.
  return new SyncError(
    problem ? 'TLS_FAILED' : 'REGISTRY_UNREACHABLE',
    `${request.method} ${url} failed: ${problem ? `${problem}: ` : ''}${message}`,
    { ...request.context, url },
    { cause: new Error(code ? `${code}: ${message}` : message) },
  );
}
