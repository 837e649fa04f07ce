import type { IncomingMessage, ServerResponse } from 'node:http';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

/** Large enough that half a layer is many TCP segments, small enough to keep the suite quick. */
const LAYER_BYTES = 512 * 1024;

/** What the proxy saw of one blob's GETs: the Range asked for, and when. */
interface BlobGet {
  range: string | undefined;
  at: number;
}

/** The own (last) layer of a tag's image manifest: no other case fetches it. */
function ownLayer(generated: GeneratedRepository, tag: string): { digest: string; bytes: Buffer } {
  const manifest = generated.manifests.get(generated.children[tag]![0]!)!;
  const doc = JSON.parse(manifest.bytes.toString('utf8')) as { layers: Array<{ digest: string }> };
  const digest = doc.layers[doc.layers.length - 1]!.digest;
  return { digest, bytes: generated.blobs.get(digest)! };
}

/**
 * Watches the GETs of one blob path: `fault` answers the n-th of them (0-based) itself by
 * returning true, or lets it through to the registry by returning false.
 */
function onBlobGets(
  path: string,
  fault: (n: number, req: IncomingMessage, res: ServerResponse) => boolean,
): { gets: BlobGet[]; intercept: (req: IncomingMessage, res: ServerResponse) => boolean } {
  const gets: BlobGet[] = [];
  return {
    gets,
    intercept: (req, res) => {
      if (req.method !== 'GET' || req.url !== path) return false;
      gets.push({ range: req.headers.range, at: Date.now() });
      return fault(gets.length - 1, req, res);
    },
  };
}

/**
 * Sends the head and half the body, then drops the connection. The drop waits until the
 * client has had time to read the half: bytes still in its buffers when the error arrives are
 * thrown away with the failed body, and the resume would (rightly) ask for an earlier offset.
 */
function cutAfterHalf(res: ServerResponse, bytes: Buffer): void {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(bytes.length),
  });
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => {
    setTimeout(() => res.socket?.destroy(), 200);
  });
}

describe('a sync through a flaky registry connection', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let rig: SyncRig;
  const repositories = new Map<string, GeneratedRepository>();
  const cases = ['resume', 'no-range', 'corrupt', 'unavailable', 'throttled', 'dated', 'quota'];

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    rig = await createSyncRig('postgres');
    for (const name of cases) {
      const generated = await generateRepository({
        tags: ['good', 'target'],
        seed: `resilience/${name}`,
        uniqueLayerBytes: LAYER_BYTES,
      });
      await pushGenerated(registry.url, `flaky/${name}`, generated);
      repositories.set(name, generated);
    }
  });

  afterAll(async () => {
    await rig?.close();
    await proxy?.stop();
    await registry?.stop();
  });

  afterEach(() => {
    proxy.intercept = undefined;
  });

  function target(name: string) {
    const generated = repositories.get(name)!;
    const layer = ownLayer(generated, 'target');
    return { generated, layer, path: `/v2/flaky/${name}/blobs/${layer.digest}` };
  }

  const sync = (name: string) =>
    rig.sync({ name, registryUrl: proxy.url, repository: `flaky/${name}` });

  it('resumes a blob whose connection drops half-way with a Range request', async () => {
    const { generated, layer, path } = target('resume');
    const watch = onBlobGets(path, (n, _req, res) => {
      if (n > 0) return false;
      cutAfterHalf(res, layer.bytes);
      return true;
    });
    proxy.intercept = watch.intercept;

    const summary = await sync('resume');

    expect(summary.result).toBe('success');
    expect(watch.gets.map((g) => g.range)).toEqual([
      undefined,
      `bytes=${Math.floor(layer.bytes.length / 2)}-`,
    ]);
    expect(proxy.requests.filter((r) => r.path === path).map((r) => r.status)).toEqual([200, 206]);
    expect(await rig.store.has(layer.digest)).toBe(true);
    expect((await rig.content('resume')).tags).toEqual(generated.tags);
  });

  it('starts the blob over when the registry ignores Range', async () => {
    const { layer, path } = target('no-range');
    const watch = onBlobGets(path, (n, req, res) => {
      if (n > 0) {
        delete req.headers.range;
        return false;
      }
      cutAfterHalf(res, layer.bytes);
      return true;
    });
    proxy.intercept = watch.intercept;

    const summary = await sync('no-range');

    expect(summary.result).toBe('success');
    expect(watch.gets).toHaveLength(2);
    const retried = proxy.requests.filter((r) => r.path === path).map((r) => r.status);
    expect(retried).toEqual([200, 200]);
    expect(await rig.store.has(layer.digest)).toBe(true);
  });

  it('stores no blob whose bytes are corrupted every time: DIGEST_MISMATCH, partial', async () => {
    const { generated, layer, path } = target('corrupt');
    const corrupted = Buffer.from(layer.bytes);
    corrupted[corrupted.length >> 1] = corrupted[corrupted.length >> 1]! ^ 0xff;
    proxy.intercept = onBlobGets(path, (_n, _req, res) => {
      res.writeHead(200, { 'content-length': String(corrupted.length) });
      res.end(corrupted);
      return true;
    }).intercept;

    const summary = await sync('corrupt');

    expect(summary.result).toBe('partial');
    expect(summary.failed).toEqual([
      expect.objectContaining({
        repository: 'corrupt',
        reference: 'target',
        digest: layer.digest,
        manifest: generated.tags['target'],
        code: 'DIGEST_MISMATCH',
      }),
    ]);
    expect(await rig.store.has(layer.digest)).toBe(false);
    expect((await rig.content('corrupt')).tags).toEqual({ good: generated.tags['good'] });
  });

  it('retries two 503 answers and succeeds', async () => {
    const { path, layer } = target('unavailable');
    const watch = onBlobGets(path, (n, _req, res) => {
      if (n >= 2) return false;
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('try later');
      return true;
    });
    proxy.intercept = watch.intercept;

    const summary = await sync('unavailable');

    expect(summary.result).toBe('success');
    expect(proxy.requests.filter((r) => r.path === path).map((r) => r.status)).toEqual([
      503, 503, 200,
    ]);
    expect(await rig.store.has(layer.digest)).toBe(true);
  });

  it('waits out a 429 with Retry-After: 1 and succeeds', async () => {
    const { path, layer } = target('throttled');
    const watch = onBlobGets(path, (n, _req, res) => {
      if (n >= 1) return false;
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }));
      return true;
    });
    proxy.intercept = watch.intercept;

    const summary = await sync('throttled');

    expect(summary.result).toBe('success');
    expect(watch.gets).toHaveLength(2);
    expect(watch.gets[1]!.at - watch.gets[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(await rig.store.has(layer.digest)).toBe(true);
  });

  it('waits out a 429 whose Retry-After is an HTTP date', async () => {
    const { path, layer } = target('dated');
    const watch = onBlobGets(path, (n, _req, res) => {
      if (n >= 1) return false;
      // HTTP dates have whole seconds: two seconds ahead is at least one second of waiting.
      const when = new Date(Date.now() + 2_000).toUTCString();
      res.writeHead(429, { 'retry-after': when, 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }));
      return true;
    });
    proxy.intercept = watch.intercept;

    const summary = await sync('dated');

    expect(summary.result).toBe('success');
    expect(watch.gets).toHaveLength(2);
    expect(watch.gets[1]!.at - watch.gets[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(await rig.store.has(layer.digest)).toBe(true);
  });

  it('holds the next requests when RateLimit-Remaining falls to 0', async () => {
    const { path, layer } = target('quota');
    let spentAt = 0;
    const after: number[] = [];
    proxy.intercept = (req, res) => {
      if (spentAt > 0) after.push(Date.now());
      if (req.method !== 'GET' || req.url !== path || spentAt > 0) return false;
      spentAt = Date.now();
      res.writeHead(503, { 'ratelimit-remaining': '0', 'ratelimit-reset': '1' });
      res.end();
      return true;
    };

    const summary = await sync('quota');

    expect(summary.result).toBe('success');
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after) - spentAt).toBeGreaterThanOrEqual(1_000);
    expect(await rig.store.has(layer.digest)).toBe(true);
  });
});
