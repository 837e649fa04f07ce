import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenCertificates } from './certificates';

export interface IssuedRequest {
  service: string | null;
  scopes: string[];
  /** Whether the request carried an Authorization header (its value is not kept). */
  authorized: boolean;
}

export interface TokenIssuerOptions {
  certificates: TokenCertificates;
  issuer: string;
  service: string;
  /** Seconds from now to a token's `exp`, by 1-based request number; 300 when not given. */
  expiresAfterS?: (requestNumber: number) => number;
  /** When set, requests without exactly this Basic header are refused with 401. */
  basic?: { username: string; password: string };
}

export interface TokenIssuer {
  /** The realm to put in the registry's `auth.token` config. */
  realm: string;
  requests: IssuedRequest[];
  /** Every token it answered a request with, in order (for tests that look for leaks). */
  issued: string[];
  /** A token for `scopes`, minted without an HTTP request (for pushing). */
  mint(scopes: string[], expiresAfterS?: number): string;
  close(): Promise<void>;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

/**
 * A token server on loopback for docker-registry's `auth: token` mode (distribution
 * docs/spec/auth/jwt.md): ES256 JWTs whose `x5c` header holds the leaf certificate, which the
 * registry checks against its rootcertbundle. Every repository scope asked for is granted pull
 * and push; what was asked is recorded.
 */
export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const key = createPrivateKey(options.certificates.leafKeyPem);
  const requests: IssuedRequest[] = [];
  const issued: string[] = [];
  const mint = (scopes: string[], expiresAfterS = 300) =>
    signJwt(
      key,
      options,
      scopes.map(grant).filter((a) => a !== undefined),
      expiresAfterS,
    );

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://issuer');
    const authorization = req.headers.authorization;
    requests.push({
      service: url.searchParams.get('service'),
      scopes: url.searchParams.getAll('scope'),
      authorized: authorization !== undefined,
    });
    if (options.basic && authorization !== basicHeader(options.basic)) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('{"details":"bad credentials"}');
      return;
    }
    const expiresAfterS = options.expiresAfterS?.(requests.length) ?? 300;
    const token = mint(url.searchParams.getAll('scope'), expiresAfterS);
    issued.push(token);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    issued,
    mint,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function basicHeader({ username, password }: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** `repository:<name>:<actions>` granted pull and push; other scope types get nothing. */
function grant(scope: string): Access | undefined {
  const match = /^repository:(.+):[^:]+$/.exec(scope);
  if (match?.[1] === undefined) return undefined;
  return { type: 'repository', name: match[1], actions: ['pull', 'push'] };
}

function signJwt(
  key: KeyObject,
  options: TokenIssuerOptions,
  access: Access[],
  expiresAfterS: number,
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'ES256', x5c: [options.certificates.leafDerBase64] };
  const claims = {
    iss: options.issuer,
    sub: 'container-sync-test',
    aud: options.service,
    exp: now + expiresAfterS,
    nbf: now - 10,
    iat: now - 10,
    jti: randomUUID(),
    access,
  };
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  // JWS ES256 (RFC 7518 3.4) wants r || s, not the DER node signs with by default.
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
