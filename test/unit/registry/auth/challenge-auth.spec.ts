import type { IncomingMessage, ServerResponse } from 'node:http';
import { ChallengeAuth } from '../../../../src/registry/auth/challenge-auth';
import { HttpClient } from '../../../../src/registry/http-client';
import { discard } from '../../../../src/registry/http-types';
import { type FakeServer, sendJson, startFakeServer } from '../fake-server';

const BASIC = `Basic ${Buffer.from('me:pw').toString('base64')}`;

/** A registry wanting `expected` in Authorization, challenging with `challenge` otherwise. */
function registry(expected: () => string, challenge: () => string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization === expected()) return sendJson(res, 200, {});
    sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'WWW-Authenticate': challenge() });
  };
}

describe('ChallengeAuth through HttpClient', () => {
  const servers: FakeServer[] = [];
  let http: HttpClient | undefined;
  afterEach(async () => {
    http?.close();
    http = undefined;
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function get(auth: ChallengeAuth, url: string) {
    http ??= new HttpClient({ registryUrl: new URL(url), authenticator: auth });
    const response = await http.send({ method: 'GET', url: new URL(url) });
    discard(response);
    return response.status;
  }

  it('switches to bearer tokens on a Bearer challenge and replays the request', async () => {
    const issuer = await startFakeServer((_req, res) => sendJson(res, 200, { token: 'tok' }));
    const reg = await startFakeServer(
      registry(
        () => 'Bearer tok',
        () => `Bearer realm="${issuer.url}/token",service="reg"`,
      ),
    );
    servers.push(issuer, reg);
    const auth = new ChallengeAuth({
      repository: 'team/app',
      credentials: { username: 'me', password: 'pw' },
    });

    const status = await get(auth, `${reg.url}/v2/team/app/tags/list`);

    expect(status).toBe(200);
    expect(reg.seen.map((r) => r.headers.authorization)).toEqual([undefined, 'Bearer tok']);
    expect(issuer.seen.map((r) => r.url)).toEqual([
      '/token?service=reg&scope=repository%3Ateam%2Fapp%3Apull',
    ]);
    expect(issuer.seen[0]?.headers.authorization).toBe(BASIC);
  });

  it('switches to Basic on a Basic challenge when it has credentials', async () => {
    const reg = await startFakeServer(
      registry(
        () => BASIC,
        () => 'Basic realm="Registry"',
      ),
    );
    servers.push(reg);
    const auth = new ChallengeAuth({
      repository: 'team/app',
      credentials: { username: 'me', password: 'pw' },
    });

    const first = await get(auth, `${reg.url}/v2/`);
    const second = await get(auth, `${reg.url}/v2/team/app/tags/list`);

    expect([first, second]).toEqual([200, 200]);
    expect(reg.seen.map((r) => r.headers.authorization)).toEqual([undefined, BASIC, BASIC]);
  });

  it('lets a Basic challenge stand without credentials', async () => {
    const reg = await startFakeServer(
      registry(
        () => BASIC,
        () => 'Basic realm="Registry"',
      ),
    );
    servers.push(reg);

    const status = await get(new ChallengeAuth({ repository: 'team/app' }), `${reg.url}/v2/`);

    expect(status).toBe(401);
    expect(reg.seen).toHaveLength(1);
  });
});
