import pino, { type Logger } from 'pino';
import { SyncError } from '../../errors';
import type { AuthRequest, Authenticator } from '../authenticator';
import type { Credentials } from '../basic-auth';
import { safeUrl } from '../safe-url';
import { requestToken, type IssuedToken, type TokenQuery } from './token-request';
import { findChallenge, type Challenge } from './www-authenticate';

export interface BearerAuthOptions {
  /** The repository this client reads: the scope asked for when a challenge names none. */
  repository: string;
  /** Sent as Basic to the token realm; without them, tokens are asked for anonymously. */
  credentials?: Credentials;
  logger?: Logger;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now?: () => number;
  /** Asks the realm for a token; tests may replace it. */
  requestToken?: (query: TokenQuery) => Promise<IssuedToken>;
}

interface CachedToken {
  token: string;
  /** When it stops being used: `expires_in` minus a margin. */
  staleAt: number;
}

/** The realm and service a registry named in its Bearer challenge. */
interface Realm {
  realm: string;
  service?: string;
}

/**
 * A token is dropped this long before its `expires_in` runs out, so a request sent just before
 * expiry does not arrive after it; a quarter of the lifetime for tokens shorter than 2 minutes.
 */
const MAX_MARGIN_MS = 30_000;

/**
 * Bearer token auth (distribution docs/spec/auth/token.md). A 401 with a Bearer challenge names
 * the token realm, the service and, often, the scope; a token is fetched for that scope and
 * cached per realm + service + scope until shortly before it expires. Requests carry the token
 * for this client's current scope; once a challenge has been seen, a missing or stale token is
 * fetched before the request rather than after a 401. Concurrent requests share one fetch.
 * Tokens and passwords never appear in logs or errors.
 */
export class BearerAuth implements Authenticator {
  readonly #options: BearerAuthOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #request: (query: TokenQuery) => Promise<IssuedToken>;
  readonly #tokens = new Map<string, CachedToken>();
  readonly #fetches = new Map<string, Promise<CachedToken>>();
  /** Learnt from the first Bearer challenge; until then requests go without a token. */
  #realm?: Realm;
  #scope: string;

  constructor(options: BearerAuthOptions) {
    this.#options = options;
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'bearer-auth' });
    this.#now = options.now ?? Date.now;
    this.#request = options.requestToken ?? requestToken;
    this.#scope = `repository:${options.repository}:pull`;
  }

  async authorize(): Promise<Record<string, string>> {
    if (this.#realm === undefined) return {};
    const cached = await this.#token(this.#realm, this.#scope);
    return { Authorization: `Bearer ${cached.token}` };
  }

  async challenged(request: AuthRequest, header: string | undefined): Promise<boolean> {
    const challenge = findChallenge(header, 'bearer');
    if (challenge === undefined) return false;
    const realm = readRealm(challenge, request);
    const scope = challenge.params['scope'] ?? this.#scope;

    // insufficient_scope: the request needs another scope than the token has. A new scope is
    // asked for once; if the token for it is refused the same way, the 401 stands.
    const key = cacheKey(realm, scope);
    const insufficient = challenge.params['error'] === 'insufficient_scope';
    if (insufficient && scope === this.#scope && sameRealm(realm, this.#realm)) {
      if (this.#tokens.has(key)) return false;
    }

    // A token that was sent and refused (expired early, revoked) is dropped for a new one.
    // Requests that were already in flight when the first challenge came in are not told apart
    // from that: each may drop and fetch once more. A sync lists tags before anything else, so
    // its first challenge comes alone; telling them apart needs the sent header passed to
    // `challenged`. Likewise HttpClient replays a request once: a token refused on that replay
    // fails the request, and the next request is the one that fetches anew.
    this.#tokens.delete(key);
    this.#realm = realm;
    this.#scope = scope;
    await this.#token(realm, scope);
    return true;
  }

  /** The cached token for realm + scope, or one fetched now (one fetch for concurrent callers). */
  async #token(realm: Realm, scope: string): Promise<CachedToken> {
    const key = cacheKey(realm, scope);
    const cached = this.#tokens.get(key);
    if (cached !== undefined && cached.staleAt > this.#now()) return cached;

    let fetching = this.#fetches.get(key);
    if (fetching === undefined) {
      fetching = this.#fetch(realm, scope, key).finally(() => this.#fetches.delete(key));
      this.#fetches.set(key, fetching);
    }
    return fetching;
  }

  async #fetch(realm: Realm, scope: string, key: string): Promise<CachedToken> {
    const issued = await this.#request({
      realm: realm.realm,
      scope,
      ...(realm.service !== undefined ? { service: realm.service } : {}),
      ...(this.#options.credentials ? { credentials: this.#options.credentials } : {}),
    });
    const lifetimeMs = issued.expiresInS * 1000;
    const margin = Math.min(MAX_MARGIN_MS, lifetimeMs / 4);
    const cached = { token: issued.token, staleAt: this.#now() + lifetimeMs - margin };
    this.#tokens.set(key, cached);
    this.#log.debug(
      {
        realm: safeUrl(new URL(realm.realm)),
        service: realm.service,
        scope,
        expiresIn: issued.expiresInS,
      },
      'bearer token fetched',
    );
    return cached;
  }
}

function cacheKey(realm: Realm, scope: string): string {
  return JSON.stringify([realm.realm, realm.service ?? null, scope]);
}

function sameRealm(a: Realm, b: Realm | undefined): boolean {
  return b !== undefined && a.realm === b.realm && a.service === b.service;
}

/** The challenge's realm, which must be an absolute http(s) URL; a registry naming none is broken. */
function readRealm(challenge: Challenge, request: AuthRequest): Realm {
  const realm = challenge.params['realm'];
  const url = realm !== undefined && URL.canParse(realm) ? new URL(realm) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new SyncError('AUTH_FAILED', 'Bearer challenge without an http(s) realm', {
      registry: request.url.host,
      url: safeUrl(request.url),
    });
  }
  const service = challenge.params['service'];
  return { realm: url.href, ...(service !== undefined ? { service } : {}) };
}
