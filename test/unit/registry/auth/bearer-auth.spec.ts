import { BearerAuth } from '../../../../src/registry/auth/bearer-auth';
import type { IssuedToken, TokenQuery } from '../../../../src/registry/auth/token-request';

const REQUEST = { method: 'GET', url: new URL('https://registry.example/v2/team/app/tags/list') };
const CHALLENGE =
  'Bearer realm="https://auth.example/token?account=me",service="registry.example",' +
  'scope="repository:team/app:pull"';

/** A token server stand-in: numbered tokens, every query recorded. */
function fakeIssuer(expiresInS = 300) {
  const queries: TokenQuery[] = [];
  const requestToken = async (query: TokenQuery): Promise<IssuedToken> => {
    queries.push(query);
    return { token: `token-${queries.length}`, expiresInS };
  };
  return { queries, requestToken };
}

function setup(options: { expiresInS?: number; password?: string } = {}) {
  const issuer = fakeIssuer(options.expiresInS);
  const clock = { now: 1_000_000 };
  const auth = new BearerAuth({
    repository: 'team/app',
    ...(options.password ? { credentials: { username: 'me', password: options.password } } : {}),
    now: () => clock.now,
    requestToken: issuer.requestToken,
  });
  return { auth, issuer, clock };
}

describe('BearerAuth', () => {
  it('sends nothing until a Bearer challenge names the realm', async () => {
    const { auth, issuer } = setup();

    expect(await auth.authorize()).toEqual({});
    expect(issuer.queries).toHaveLength(0);
  });

  it('fetches a token for the challenged realm, service and scope, with the credentials', async () => {
    const { auth, issuer } = setup({ password: 'secret' });

    const retry = await auth.challenged(REQUEST, CHALLENGE);

    expect(retry).toBe(true);
    expect(issuer.queries).toEqual([
      {
        realm: 'https://auth.example/token?account=me',
        service: 'registry.example',
        scope: 'repository:team/app:pull',
        credentials: { username: 'me', password: 'secret' },
      },
    ]);
    expect(await auth.authorize()).toEqual({ Authorization: 'Bearer token-1' });
  });

  it('asks for the repository pull scope when the challenge names none', async () => {
    const { auth, issuer } = setup();

    await auth.challenged(
      { method: 'GET', url: new URL('https://registry.example/v2/') },
      'Bearer realm="https://auth.example/token"',
    );

    expect(issuer.queries).toEqual([
      { realm: 'https://auth.example/token', scope: 'repository:team/app:pull' },
    ]);
  });

  it('ignores challenges of other schemes', async () => {
    const { auth, issuer } = setup();

    expect(await auth.challenged(REQUEST, 'Basic realm="r"')).toBe(false);
    expect(await auth.challenged(REQUEST, undefined)).toBe(false);
    expect(issuer.queries).toHaveLength(0);
  });

  it('reuses the token until shortly before it expires, then fetches another', async () => {
    const { auth, issuer, clock } = setup({ expiresInS: 60 });
    await auth.challenged(REQUEST, CHALLENGE);

    clock.now += 44_000;
    const early = await auth.authorize();
    clock.now += 2_000;
    const late = await auth.authorize();

    expect(early).toEqual({ Authorization: 'Bearer token-1' });
    expect(late).toEqual({ Authorization: 'Bearer token-2' });
    expect(issuer.queries).toHaveLength(2);
  });

  it('drops a refused token and fetches a new one for the replay', async () => {
    const { auth, issuer } = setup();
    await auth.challenged(REQUEST, CHALLENGE);

    const retry = await auth.challenged(REQUEST, `${CHALLENGE},error="invalid_token"`);

    expect(retry).toBe(true);
    expect(issuer.queries).toHaveLength(2);
    expect(await auth.authorize()).toEqual({ Authorization: 'Bearer token-2' });
  });

  it('shares one fetch among concurrent requests', async () => {
    const { auth, issuer, clock } = setup({ expiresInS: 60 });
    await auth.challenged(REQUEST, CHALLENGE);
    clock.now += 120_000;

    const headers = await Promise.all([auth.authorize(), auth.authorize(), auth.authorize()]);

    expect(new Set(headers.map((h) => h['Authorization']))).toEqual(new Set(['Bearer token-2']));
    expect(issuer.queries).toHaveLength(2);
  });

  it('asks once for the scope an insufficient_scope challenge names', async () => {
    const { auth, issuer } = setup();
    await auth.challenged(REQUEST, CHALLENGE);
    const wider =
      'Bearer realm="https://auth.example/token?account=me",service="registry.example",' +
      'scope="repository:team/app:pull,push",error="insufficient_scope"';

    const first = await auth.challenged(REQUEST, wider);
    const second = await auth.challenged(REQUEST, wider);

    expect([first, second]).toEqual([true, false]);
    expect(issuer.queries.map((q) => q.scope)).toEqual([
      'repository:team/app:pull',
      'repository:team/app:pull,push',
    ]);
    expect(await auth.authorize()).toEqual({ Authorization: 'Bearer token-2' });
  });

  it('refuses a challenge whose realm is not an http(s) URL', async () => {
    const { auth } = setup();

    await expect(
      auth.challenged(REQUEST, 'Bearer realm="file:///etc/passwd"'),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(auth.challenged(REQUEST, 'Bearer service="x"')).rejects.toMatchObject({
      code: 'AUTH_FAILED',
    });
  });
});
