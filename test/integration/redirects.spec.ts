import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BlobHost, startBlobHost } from '../harness/dialects/blob-host';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

/**
 * Redirects of tag lists and manifests, played by the counting proxy in front of the real
 * registry. One that leaves the registry's origin is refused before the other host is asked
 * anything (a second loopback address stands for that host); one on the same origin is
 * followed. Blob redirects to another host are dialects.spec.ts's.
 */
describe('redirects of tag lists and manifests', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let foreign: BlobHost;
  let rig: SyncRig;

  const TAGS = ['v1', 'v2', 'v3'];

  async function pushed(repository: string): Promise<GeneratedRepository> {
    const generated = await generateRepository({ tags: TAGS, seed: repository });
    await pushGenerated(registry.url, repository, generated);
    return generated;
  }

  /** Answers `method path` (path without query) with a 307 to `location`; the rest go on. */
  function redirecting(routes: Record<string, string>) {
    return (req: IncomingMessage, res: ServerResponse) => {
      const location = routes[`${req.method} ${req.url}`];
      if (location === undefined) return false;
      res.writeHead(307, { location });
      res.end();
      return true;
    };
  }

  /**
   * Gives the catalog manifests of another repository, synced straight from the registry: a
   * catalog that holds manifests HEADs each tag before its GET (an empty one GETs at once).
   */
  async function seedCatalog(): Promise<void> {
    const seed = 'redirect/seed';
    await pushed(seed);
    await rig.sync({ name: seed, registryUrl: registry.url, repository: seed });
  }

  function requested(): string[] {
    return proxy.requests.map((entry) => `${entry.method} ${entry.path}${entry.search}`);
  }

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    foreign = await startBlobHost(new Map(), '127.0.0.2');
  });

  beforeEach(async () => {
    rig = await createSyncRig('postgres');
    proxy.reset();
  });

  afterEach(async () => {
    proxy.intercept = undefined;
    await rig.close();
  });

  afterAll(async () => {
    await foreign?.stop();
    await proxy?.stop();
    await registry?.stop();
  });

  it('fails the sync REDIRECT_REFUSED when the tag list redirects to another host', async () => {
    const repository = 'redirect/tags-foreign';
    await pushed(repository);
    const path = `/v2/${repository}/tags/list`;
    proxy.intercept = redirecting({ [`GET ${path}`]: `${foreign.origin}${path}?n=100` });

    const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

    expect(summary.result).toBe('failed');
    expect(summary.error).toEqual({
      code: 'REDIRECT_REFUSED',
      message: `GET ${proxy.url}${path} redirected to another origin: ${foreign.origin}`,
      registry: new URL(proxy.url).host,
      repository,
      url: `${foreign.origin}${path}`,
      status: 307,
    });
    expect(foreign.seen).toEqual([]);
    expect(requested()).toEqual([`GET ${path}`]);
    expect((await rig.content(repository)).tags).toEqual({});
  });

  it('fails only the tags whose manifest HEAD or GET redirects to another host', async () => {
    const repository = 'redirect/manifests-foreign';
    const generated = await pushed(repository);
    const manifests = `/v2/${repository}/manifests`;
    const v2 = generated.tags['v2']!;
    await seedCatalog();
    proxy.intercept = redirecting({
      [`HEAD ${manifests}/v1`]: `${foreign.origin}${manifests}/v1`,
      [`GET ${manifests}/${v2}`]: `${foreign.origin}${manifests}/${v2}`,
    });

    const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

    expect(summary.result).toBe('partial');
    expect(summary.failed).toEqual([
      {
        repository,
        reference: 'v1',
        code: 'REDIRECT_REFUSED',
        message: `HEAD ${proxy.url}${manifests}/v1 redirected to another origin: ${foreign.origin}`,
      },
      {
        repository,
        reference: 'v2',
        digest: v2,
        code: 'REDIRECT_REFUSED',
        message: `GET ${proxy.url}${manifests}/${v2} redirected to another origin: ${foreign.origin}`,
      },
    ]);
    expect(foreign.seen).toEqual([]);
    expect((await rig.content(repository)).tags).toEqual({ v3: generated.tags['v3'] });
  });

  it('follows redirects of the tag list and manifests within the registry origin', async () => {
    const repository = 'redirect/same-origin';
    const generated = await pushed(repository);
    const tags = `/v2/${repository}/tags/list`;
    const manifests = `/v2/${repository}/manifests`;
    const v1 = generated.tags['v1']!;
    await seedCatalog();
    proxy.intercept = redirecting({
      [`GET ${tags}`]: `${tags}?n=100`,
      [`HEAD ${manifests}/v1`]: `${proxy.url}${manifests}/${v1}`,
      [`GET ${manifests}/${v1}`]: `${manifests}/v1`,
    });

    const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

    expect(summary.failed).toEqual([]);
    expect(summary.result).toBe('success');
    expect((await rig.content(repository)).tags).toEqual(generated.tags);
    expect(requested().slice(0, 2)).toEqual([`GET ${tags}`, `GET ${tags}?n=100`]);
    expect(requested()).toEqual(
      expect.arrayContaining([
        `HEAD ${manifests}/v1`,
        `HEAD ${manifests}/${v1}`,
        `GET ${manifests}/${v1}`,
        `GET ${manifests}/v1`,
      ]),
    );
    expect(foreign.seen).toEqual([]);
  });
});
