import { sha256Digest } from '../../../../src/content/digest';
import { readBody } from '../../../../src/registry/read-body';
import {
  RegistryClient,
  type RegistryClientOptions,
} from '../../../../src/registry/registry-client';
import { type FakeServer, startFakeServer } from '../fake-server';

const REPO = 'team/app';
const BLOB = Buffer.alloc(64 * 1024, 'x');
const DIGEST = sha256Digest(BLOB);

let registry: FakeServer;
let client: RegistryClient;

async function start(
  handler: Parameters<typeof startFakeServer>[0],
  options: Partial<RegistryClientOptions> = {},
) {
  registry = await startFakeServer(handler);
  client = new RegistryClient({ registryUrl: registry.url, repository: REPO, ...options });
}

afterEach(async () => {
  client.close();
  await registry.close();
});

describe('RegistryClient resilience wiring', () => {
  it('retries a 503 by default', async () => {
    let calls = 0;
    await start(
      (_req, res) => {
        calls += 1;
        res.writeHead(calls === 1 ? 503 : 200);
        res.end();
      },
      { retry: { baseDelayMs: 1 } },
    );

    await client.ping();

    expect(calls).toBe(2);
  });

  it('sends each request once with retry: false', async () => {
    await start(
      (_req, res) => {
        res.writeHead(503);
        res.end();
      },
      { retry: false },
    );

    await expect(client.ping()).rejects.toMatchObject({
      data: expect.objectContaining({ status: 503 }),
    });
    expect(registry.seen).toHaveLength(1);
  });

  it('resumes a blob body that drops with a Range request', async () => {
    const half = BLOB.length / 2;
    await start((req, res) => {
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (range) {
        const from = Number(range[1]);
        res.writeHead(206, { 'Content-Range': `bytes ${from}-${BLOB.length - 1}/${BLOB.length}` });
        res.end(BLOB.subarray(from));
        return;
      }
      res.writeHead(200, { 'Content-Length': String(BLOB.length) });
      res.write(BLOB.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 50));
    });

    const body = await readBody(await client.fetchBlob(DIGEST), BLOB.length);

    expect(body).toEqual(BLOB);
    expect(registry.seen.map((r) => r.headers.range)).toEqual([undefined, `bytes=${half}-`]);
  });

  it('leaves a dropped blob body failed with blobResumes: 0', async () => {
    await start(
      (_req, res) => {
        res.writeHead(200, { 'Content-Length': String(BLOB.length) });
        res.write(BLOB.subarray(0, 100), () => setTimeout(() => res.socket?.destroy(), 50));
      },
      { blobResumes: 0 },
    );

    await expect(readBody(await client.fetchBlob(DIGEST), BLOB.length)).rejects.toThrow();
    expect(registry.seen).toHaveLength(1);
  });
});
