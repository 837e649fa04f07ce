import type { AuthRequest, Authenticator } from '../../../src/registry/authenticator';
import { HttpClient } from '../../../src/registry/http-client';
import { discard } from '../../../src/registry/http-types';
import { type FakeServer, startFakeServer } from './fake-server';

/** Stands in for bearer auth: a 401 challenge makes it fetch a token, once. */
class ChallengeOnce implements Authenticator {
  token = 'stale';
  challenges: Array<string | undefined> = [];

  async authorize(): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${this.token}` };
  }

  async challenged(_: AuthRequest, challenge: string | undefined): Promise<boolean> {
    this.challenges.push(challenge);
    if (this.token === 'fresh') return false;
    this.token = 'fresh';
    return true;
  }
}

let server: FakeServer;
let http: HttpClient;

afterEach(async () => {
  http.close();
  await server.close();
});

describe('HttpClient', () => {
  it('retries once after a challenge the authenticator can answer', async () => {
    server = await startFakeServer((req, res) => {
      const ok = req.headers.authorization === 'Bearer fresh';
      res.writeHead(ok ? 200 : 401, ok ? {} : { 'WWW-Authenticate': 'Bearer realm="x"' });
      res.end();
    });
    const auth = new ChallengeOnce();
    http = new HttpClient({ registryUrl: new URL(server.url), authenticator: auth });

    const response = await http.send({ method: 'GET', url: new URL(`${server.url}/v2/`) });
    discard(response);

    expect(response.status).toBe(200);
    expect(auth.challenges).toEqual(['Bearer realm="x"']);
    expect(server.seen.map((r) => r.headers.authorization)).toEqual([
      'Bearer stale',
      'Bearer fresh',
    ]);
  });

  it('returns the 401 when the authenticator has nothing new', async () => {
    server = await startFakeServer((_, res) => {
      res.writeHead(401);
      res.end();
    });
    const auth = new ChallengeOnce();
    auth.token = 'fresh';
    http = new HttpClient({ registryUrl: new URL(server.url), authenticator: auth });

    const response = await http.send({ method: 'GET', url: new URL(`${server.url}/v2/`) });
    discard(response);

    expect(response.status).toBe(401);
    expect(server.seen).toHaveLength(1);
  });

  it('reuses keep-alive sockets within maxSockets', async () => {
    const sockets = new Set<unknown>();
    server = await startFakeServer((req, res) => {
      sockets.add(req.socket);
      res.end('ok');
    });
    http = new HttpClient({
      registryUrl: new URL(server.url),
      authenticator: new ChallengeOnce(),
      maxSockets: 2,
    });

    const fetchOne = async () => {
      const response = await http.send({ method: 'GET', url: new URL(`${server.url}/x`) });
      return response.body.toArray();
    };
    for (let round = 0; round < 3; round++) {
      await Promise.all([fetchOne(), fetchOne(), fetchOne(), fetchOne()]);
    }

    expect(server.seen).toHaveLength(12);
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('turns a 303 into a GET and keeps HEAD a HEAD', async () => {
    server = await startFakeServer((req, res) => {
      if (req.url === '/start') res.writeHead(303, { Location: '/end' });
      res.end();
    });
    http = new HttpClient({ registryUrl: new URL(server.url), authenticator: new ChallengeOnce() });

    discard(await http.send({ method: 'HEAD', url: new URL(`${server.url}/start`) }));

    expect(server.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['HEAD /start', 'HEAD /end']);
  });
});

describe('HttpClient with a body that stops', () => {
  it('fails the body after the idle timeout instead of waiting forever', async () => {
    server = await startFakeServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write(Buffer.alloc(500));
    });
    http = new HttpClient({
      registryUrl: new URL(server.url),
      authenticator: { authorize: async () => ({}), challenged: async () => false },
      timeoutMs: 300,
    });
    const response = await http.send({ method: 'GET', url: new URL(`${server.url}/v2/x/blobs/y`) });

    const reading = (async () => {
      for await (const chunk of response.body) void chunk;
    })();

    await expect(reading).rejects.toThrow(`GET ${server.url}/v2/x/blobs/y: no data for 300 ms`);
  });
});
