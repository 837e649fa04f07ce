import axios from 'axios';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '../../src/content/digest';
import { MANIFEST_ACCEPT, MediaType } from '../../src/content/media-types';
import { generateRepository } from './image-generator';
import { CountingProxy, startCountingProxy } from './proxy';
import { deleteManifest, pushBlob, pushGenerated, writeOciLayout } from './push';
import { pushOciLayout } from './push-oci-layout';
import { RunningRegistry, startRegistry } from './registry';
import { verifyTags } from './verify-tags';

const PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux' },
];
const raw = { validateStatus: () => true, responseType: 'arraybuffer' as const };

describe('pushing generated content', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
  });

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  beforeEach(() => {
    proxy.reset();
    proxy.intercept = undefined;
  });

  it('pushes through the proxy: HEAD, POST, PUT per blob and one PUT per manifest', async () => {
    const generated = await generateRepository({ tags: 3, platforms: PLATFORMS, seed: 'push' });

    await pushGenerated(proxy.url, 'team/app/one', generated, { concurrency: 4 });

    const uploads = proxy.requests.filter((request) => request.method === 'POST');
    expect(generated.blobs.size).toBe(1 + 2 + 3 * 2 * 2);
    expect(generated.manifests.size).toBe(3 * 2 + 3);
    expect(proxy.counts()).toEqual({
      ping: 0,
      tags: 0,
      manifestHead: 0,
      manifestGet: 0,
      blobHead: 15,
      blobGet: 0,
      other: 15 + 15 + 9,
    });
    expect(uploads.every((request) => request.status === 202)).toBe(true);
    expect(proxy.requests.filter((request) => request.status === 201)).toHaveLength(15 + 9);
  });

  it('serves a pushed tag by its generated digest, one counted GET through the proxy', async () => {
    const generated = await generateRepository({ tags: ['v1', 'v2'], seed: 'get', index: true });
    await pushGenerated(registry.url, 'team/app/two', generated);
    proxy.reset();

    const response = await axios.get(`${proxy.url}/v2/team/app/two/manifests/v2`, {
      ...raw,
      headers: { Accept: MANIFEST_ACCEPT.join(', ') },
    });

    const expected = generated.manifests.get(generated.tags.v2 as string);
    expect(response.status).toBe(200);
    expect(response.headers['docker-content-digest']).toBe(generated.tags.v2);
    expect(response.headers['content-type']).toBe(MediaType.ociIndex);
    expect(Buffer.from(response.data as ArrayBuffer).equals(expected?.bytes as Buffer)).toBe(true);
    expect(proxy.requests).toEqual([
      {
        method: 'GET',
        path: '/v2/team/app/two/manifests/v2',
        search: '',
        kind: 'manifestGet',
        status: 200,
      },
    ]);
  });

  it('skips a blob the repository already has', async () => {
    const bytes = Buffer.from('a blob pushed twice\n');
    const digest = sha256Digest(bytes);
    const first = await pushBlob(proxy.url, 'team/blobs', digest, bytes);
    proxy.reset();

    const second = await pushBlob(proxy.url, 'team/blobs', digest, bytes);

    expect(first).toBe(true);
    expect(second).toBe(false);
    expect(proxy.requests.map((r) => `${r.kind} ${r.status}`)).toEqual(['blobHead 200']);
  });

  it('rewrites upload locations so the PUT comes back through the proxy', async () => {
    const opened = await axios.post(`${proxy.url}/v2/team/uploads/blobs/uploads/`, null, raw);

    const location = String(opened.headers.location);

    expect(opened.status).toBe(202);
    expect(location.startsWith(`${proxy.url}/v2/team/uploads/blobs/uploads/`)).toBe(true);
  });

  it('lets an interceptor answer instead of the registry, and records its status', async () => {
    proxy.intercept = (req, res) => {
      if (!req.url?.includes('/tags/list')) return false;
      res.writeHead(503, { 'Retry-After': '1' }).end();
      return true;
    };

    const intercepted = await axios.get(`${proxy.url}/v2/any/tags/list?n=10`, raw);
    const passed = await axios.get(`${proxy.url}/v2/`, raw);

    expect(intercepted.status).toBe(503);
    expect(passed.status).toBe(200);
    expect(proxy.requests).toEqual([
      { method: 'GET', path: '/v2/any/tags/list', search: '?n=10', kind: 'tags', status: 503 },
      { method: 'GET', path: '/v2/', search: '', kind: 'ping', status: 200 },
    ]);
  });

  it('deletes a manifest by digest, taking its tag with it', async () => {
    const generated = await generateRepository({ tags: ['gone'], seed: 'delete' });
    await pushGenerated(registry.url, 'team/deleted', generated);

    await deleteManifest(registry.url, 'team/deleted', generated.tags.gone as string);

    const head = await axios.head(`${registry.url}/v2/team/deleted/manifests/gone`, {
      ...raw,
      headers: { Accept: MANIFEST_ACCEPT.join(', ') },
    });
    expect(head.status).toBe(404);
  });

  it('writes an OCI layout that pushes back to the generated tags', async () => {
    const generated = await generateRepository({ tags: 2, platforms: PLATFORMS, seed: 'layout' });
    const dir = await mkdtemp(join(tmpdir(), 'container-sync-layout-'));

    try {
      await writeOciLayout(dir, generated);
      await pushOciLayout(registry.url, 'team/from-layout', dir);

      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
        manifests: Array<{ digest: string; annotations: Record<string, string> }>;
      };
      expect(
        index.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name']),
      ).toEqual(['t0001', 't0002']);
      await expect(verifyTags(registry.url, 'team/from-layout', generated.tags)).resolves.toBe(
        undefined,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
