/** What an authenticator is told about a request it may add credentials to. */
export interface AuthRequest {
  method: string;
  url: URL;
}

/**
 * Adds credentials to requests. The HTTP client asks only for requests to the registry's own
 * origin, so an implementation never decides whether a redirect target may see a secret.
 * Bearer token auth (distribution "Token Authentication Specification") fits here: `authorize`
 * returns a cached token for the request's scope, `challenged` fetches one for the scope a 401's
 * `WWW-Authenticate` names.
 */
export interface Authenticator {
  /** Headers to add to this request; `{}` for none. */
  authorize(request: AuthRequest): Promise<Record<string, string>>;
  /**
   * Called on a 401 with its `WWW-Authenticate` header. True when `authorize` would now return
   * something new, so the request is worth sending once more.
   */
  challenged(request: AuthRequest, challenge: string | undefined): Promise<boolean>;
}
