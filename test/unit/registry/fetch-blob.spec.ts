import { sha256Digest } from '../../../src/content/digest';
import { RegistryClient } from '../../../src/registry/registry-client';
import { readBody } from '../../../src/registry/read-body';
import { type FakeServer, sendJson, startFakeServer } from './fake-server';

const REPO = 'team/app';
const blob = Buffer.from('layer bytes');
const digest = sha256Digest(blob);
const credentials = { username: 'alice', password: 's3cret' };

let registry: FakeServer;
let storage: FakeServer;
let client: RegistryClient;

beforeEach(async () => {
  // Object storage on another origin, where signed URLs need no Authorization.
  storage = await startFakeServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    res.end(blob);
  });
});

afterEach(async () => {
  client.close();
  await registry.close();
  await storage.close();
});

async function start(handler: Parameters<typeof startFakeServer>[0]) {
  registry = await startFakeServer(handler);
  client = new RegistryClient({ registryUrl: registry.url, repository: REPO, credentials });
}

describe('RegistryClient.fetchBlob', () => {
  it('streams the blob with Authorization, asking for it uncompressed', async () => {
    await start((_, res) => res.end(blob));

    const body = await readBody(await client.fetchBlob(digest), 1024);

    expect(body).toEqual(blob);
    expect(registry.seen[0]).toMatchObject({ method: 'GET', url: `/v2/${REPO}/blobs/${digest}` });
    expect(registry.seen[0]?.headers).toMatchObject({
      authorization: expect.stringMatching(/^Basic /),
      'accept-encoding': 'identity',
    });
    expect(client.requests.blobGet).toBe(1);
  });

  it('follows a redirect to another host without sending it the Authorization header', async () => {
    await start((_, res) => {
      res.writeHead(307, { Location: `${storage.url}/bucket/blob?X-Signature=abc` });
      res.end();
    });

    const body = await readBody(await client.fetchBlob(digest), 1024);

    expect(body).toEqual(blob);
    expect(storage.seen[0]?.url).toBe('/bucket/blob?X-Signature=abc');
    expect(storage.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('follows a relative redirect on the registry, keeping the Authorization header', async () => {
    await start((req, res) => {
      if (req.url?.startsWith('/v2/')) {
        res.writeHead(302, { Location: '/storage/blob' });
        res.end();
        return;
      }
      res.end(blob);
    });

    const body = await readBody(await client.fetchBlob(digest), 1024);

    expect(body).toEqual(blob);
    expect(registry.seen.map((r) => r.url)).toEqual([
      `/v2/${REPO}/blobs/${digest}`,
      '/storage/blob',
    ]);
    expect(registry.seen[1]?.headers.authorization).toMatch(/^Basic /);
  });

  it('gives up on a redirect loop with REGISTRY_ERROR', async () => {
    await start((req, res) => {
      res.writeHead(302, { Location: req.url ?? '/' });
      res.end();
    });

    await expect(client.fetchBlob(digest)).rejects.toMatchObject({ code: 'REGISTRY_ERROR' });
  });

  it('reports a missing blob as NOT_FOUND with digest, url (no query) and status', async () => {
    await storage.close();
    storage = await startFakeServer((_, res) =>
      sendJson(res, 404, { errors: [{ code: 'BLOB_UNKNOWN' }] }),
    );
    await start((_, res) => {
      res.writeHead(307, { Location: `${storage.url}/gone?X-Signature=secret` });
      res.end();
    });

    const error = await client.fetchBlob(digest).catch((err: unknown) => err);

    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      message: /BLOB_UNKNOWN/,
      data: { digest, repository: REPO, status: 404, url: `${storage.url}/gone` },
    });
    expect(JSON.stringify(error)).not.toContain('secret');
  });

  it('refuses a digest that is not one before any request', async () => {
    await start((_, res) => res.end());

    await expect(client.fetchBlob('sha256:../../x' as never)).rejects.toMatchObject({
      code: 'DIGEST_INVALID',
    });
    expect(registry.seen).toHaveLength(0);
  });
});
