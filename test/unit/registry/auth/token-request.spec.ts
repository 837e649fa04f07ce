import { requestToken, tokenUrl } from '../../../../src/registry/auth/token-request';
import { type FakeServer, sendJson, startFakeServer } from '../fake-server';

describe('tokenUrl', () => {
  it('appends service and each scope to the realm query', () => {
    const url = tokenUrl({
      realm: 'https://auth.example/token?account=me',
      service: 'reg istry',
      scope: 'repository:a:pull repository:b:pull',
    });

    expect(url.href).toBe(
      'https://auth.example/token?account=me&service=reg+istry' +
        '&scope=repository%3Aa%3Apull&scope=repository%3Ab%3Apull',
    );
  });
});

describe('requestToken', () => {
  let server: FakeServer | undefined;
  afterEach(async () => server?.close());

  it('sends Basic credentials and reads `token` with its lifetime', async () => {
    server = await startFakeServer((_req, res) =>
      sendJson(res, 200, { token: 't', expires_in: 90 }),
    );

    const issued = await requestToken({
      realm: `${server.url}/token`,
      service: 'svc',
      credentials: { username: 'me', password: 'pw' },
    });

    expect(issued).toEqual({ token: 't', expiresInS: 90 });
    expect(server.seen[0]?.url).toBe('/token?service=svc');
    expect(server.seen[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('me:pw').toString('base64')}`,
    );
  });

  it('reads `access_token` and gives a 60 s lifetime when none is sent', async () => {
    server = await startFakeServer((_req, res) => sendJson(res, 200, { access_token: 'a' }));

    const issued = await requestToken({ realm: `${server.url}/token` });

    expect(issued).toEqual({ token: 'a', expiresInS: 60 });
    expect(server.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('fails AUTH_FAILED on a refusal, naming neither password nor query', async () => {
    server = await startFakeServer((_req, res) => sendJson(res, 401, { details: 'no' }));

    const failure = requestToken({
      realm: `${server.url}/token?secret=q`,
      credentials: { username: 'me', password: 'hunter2' },
    });

    await expect(failure).rejects.toMatchObject({ code: 'AUTH_FAILED', data: { status: 401 } });
    const text = JSON.stringify(await failure.catch((err: { toJSON(): unknown }) => err.toJSON()));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('secret=q');
  });

  it('fails REGISTRY_ERROR on a body without a token', async () => {
    server = await startFakeServer((_req, res) => sendJson(res, 200, { expires_in: 10 }));

    await expect(requestToken({ realm: `${server.url}/token` })).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
    });
  });
});
