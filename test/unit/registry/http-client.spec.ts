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

describe('HttpClient redirects to another origin', () => {
  let foreign: FakeServer;

  beforeEach(async () => {
    foreign = await startFakeServer((_req, res) => res.end('foreign'));
    server = await startFakeServer((req, res) => {
      const target = req.url === '/same' ? '/end' : `${foreign.url}/elsewhere?sig=s3cr3t`;
      if (req.url !== '/end') res.writeHead(307, { Location: target });
      res.end();
    });
    http = new HttpClient({ registryUrl: new URL(server.url), authenticator: new ChallengeOnce() });
  });

  afterEach(async () => {
    await foreign.close();
  });

  it.each(['GET', 'HEAD'] as const)(
    'refuses one for a %s that does not allow it, asking that host nothing',
    async (method) => {
      const sending = http.send({
        method,
        url: new URL(`${server.url}/v2/app/manifests/v1`),
        context: { repository: 'app', reference: 'v1' },
      });

      await expect(sending).rejects.toMatchObject({
        code: 'REDIRECT_REFUSED',
        message: `${method} ${server.url}/v2/app/manifests/v1 redirected to another origin: ${foreign.url}`,
        data: { repository: 'app', reference: 'v1', url: `${foreign.url}/elsewhere`, status: 307 },
      });
      expect(foreign.seen).toEqual([]);
    },
  );

  it('follows one on the same origin, credentials kept', async () => {
    const response = await http.send({ method: 'GET', url: new URL(`${server.url}/same`) });
    discard(response);

    expect(response.status).toBe(200);
    expect(server.seen.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/same', 'Bearer stale'],
      ['/end', 'Bearer stale'],
    ]);
  });

  it('follows one for a request that allows it (a blob GET), without credentials', async () => {
    const response = await http.send({
      method: 'GET',
      url: new URL(`${server.url}/v2/app/blobs/sha256:${'a'.repeat(64)}`),
      crossOriginRedirects: true,
    });
    discard(response);

    expect(response.status).toBe(200);
    expect(response.url.href).toBe(`${foreign.url}/elsewhere?sig=s3cr3t`);
    expect(foreign.seen.map((r) => r.headers.authorization)).toEqual([undefined]);
  });
});
