import axios, { isAxiosError } from 'axios';
import { z } from 'zod';
import { SyncError } from '../../errors';
import type { Credentials } from '../basic-auth';
import { safeUrl } from '../safe-url';

/** distribution "Token Authentication Specification": a token with no `expires_in` lasts 60 s. */
const DEFAULT_EXPIRES_IN_S = 60;
const TOKEN_TIMEOUT_MS = 30_000;
const TOKEN_BODY_CAP = 1024 * 1024;

/**
 * The token response (docs/spec/auth/token.md, "Token Response Fields"): `token`, or the OAuth2
 * name `access_token`; either is accepted, `token` winning when both are sent.
 */
const TokenResponseSchema = z
  .object({
    token: z.string().min(1).optional(),
    access_token: z.string().min(1).optional(),
    expires_in: z.number().positive().optional(),
  })
  .refine((body) => body.token !== undefined || body.access_token !== undefined, {
    message: 'neither token nor access_token',
  });

export interface TokenQuery {
  /** The challenge's realm, used as given, its own query kept. */
  realm: string;
  service?: string;
  scope?: string;
  credentials?: Credentials;
}

export interface IssuedToken {
  token: string;
  expiresInS: number;
}

/**
 * GETs a bearer token from the realm. `service` and `scope` are appended to whatever query the
 * realm has. Credentials, when given, go as Basic to the realm (the realm is the token server
 * the registry named, which is where the spec sends them). Redirects are not followed, so a
 * password never reaches a host the registry did not name. Neither the token nor the password
 * appears in an error; the axios error is not kept as a cause since its config holds both.
 */
export async function requestToken(query: TokenQuery): Promise<IssuedToken> {
  const url = tokenUrl(query);
  const where = { url: safeUrl(url) };
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (query.credentials) {
    const { username, password } = query.credentials;
    headers['Authorization'] =
      `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }

  let response;
  try {
    response = await axios.get<unknown>(url.href, {
      headers,
      maxRedirects: 0,
      validateStatus: () => true,
      timeout: TOKEN_TIMEOUT_MS,
      maxContentLength: TOKEN_BODY_CAP,
      responseType: 'json',
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = isAxiosError(err) ? err.code : undefined;
    throw new SyncError('REGISTRY_UNREACHABLE', `token request failed: ${message}`, where, {
      cause: new Error(code ? `${code}: ${message}` : message),
    });
  }

  if (response.status === 401 || response.status === 403) {
    throw new SyncError('AUTH_FAILED', `token request refused: HTTP ${response.status}`, {
      ...where,
      status: response.status,
    });
  }
  if (response.status !== 200) {
    throw new SyncError('REGISTRY_ERROR', `token request failed: HTTP ${response.status}`, {
      ...where,
      status: response.status,
    });
  }
  const parsed = TokenResponseSchema.safeParse(response.data);
  if (!parsed.success) {
    throw new SyncError('REGISTRY_ERROR', 'token response is not a token document', where);
  }
  const body = parsed.data;
  return {
    token: (body.token ?? body.access_token)!,
    expiresInS: body.expires_in ?? DEFAULT_EXPIRES_IN_S,
  };
}

/** The realm with `service` and `scope` added to its own query parameters. */
export function tokenUrl(query: TokenQuery): URL {
  const url = new URL(query.realm);
  if (query.service !== undefined) url.searchParams.append('service', query.service);
  // A challenge may name several scopes separated by spaces; the token server takes each as
  // its own `scope` parameter.
  for (const scope of query.scope?.split(' ').filter(Boolean) ?? []) {
    url.searchParams.append('scope', scope);
  }
  return url;
}
