import type { IncomingMessage, ServerResponse } from 'node:http';
import { MediaType } from '../../src/content/media-types';
import { buildIndex, type Document } from '../harness/image-documents';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushBlob, pushGenerated, pushManifest } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';
import { catalogRows, fileDigest } from './catalog-expectations';

/** Far below the suite's two minutes: a sync that waits forever fails here, not in CI's timeout. */
const ENDS_WITHIN_MS = 15_000;

const PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux' },
];

/** Answers a GET of `path` with a registry error, letting everything else through. */
function failGet(path: string, status: number, code: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || req.url !== path) return false;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code, message: 'injected by the test' }] }));
    return true;
  };
}

/** The own (last) layer of an image manifest: no other tag has it. */
function ownLayer(generated: GeneratedRepository, manifestDigest: string): string {
  const doc = JSON.parse(generated.manifests.get(manifestDigest)!.bytes.toString('utf8')) as {
    layers: Array<{ digest: string }>;
  };
  return doc.layers[doc.layers.length - 1]!.digest;
}

describe.each(['postgres', 'pglite'] as const)('a sync with a failing upstream on %s', (kind) => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let rig: SyncRig;
  // One repository per case, each of its own seed: the catalog never knows a case's content
  // from an earlier case, so every case fetches what it injects a fault into.
  const repositories = new Map<string, GeneratedRepository>();

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    rig = await createSyncRig(kind);
    for (const repo of ['failing/blob', 'failing/child']) {
      const repository = await generateRepository({
        tags: ['good-1', 'bad', 'good-2'],
        platforms: PLATFORMS,
        seed: `${kind}/${repo}`,
        uniqueLayerBytes: 64,
      });
      await pushGenerated(registry.url, repo, repository);
      repositories.set(repo, repository);
    }
    // Plain images, pushed by the case itself under lists of its own.
    repositories.set(
      'failing/shared',
      await generateRepository({
        tags: ['shared', 'x', 'y'],
        seed: `${kind}/failing/shared`,
        uniqueLayerBytes: 64,
      }),
    );
  });

  afterAll(async () => {
    await rig?.close();
    await proxy?.stop();
    await registry?.stop();
  });

  afterEach(() => {
    proxy.intercept = undefined;
  });

  it(
    'ends partial when one blob GET answers 500: that tag failed, the others in the version',
    async () => {
      const generated = repositories.get('failing/blob')!;
      const layer = ownLayer(generated, generated.children['bad']![1]!);
      proxy.intercept = failGet(`/v2/failing/blob/blobs/${layer}`, 500, 'UNKNOWN');

      const summary = await rig.sync({
        name: 'blob-500',
        registryUrl: proxy.url,
        repository: 'failing/blob',
      });

      expect(summary.result).toBe('partial');
      expect(summary.failed).toEqual([
        {
          repository: 'blob-500',
          reference: 'bad',
          digest: layer,
          manifest: generated.children['bad']![1],
          code: 'REGISTRY_ERROR',
          message: 'blob GET: HTTP 500: UNKNOWN injected by the test',
        },
      ]);
      expect(summary.version).toBe(1);
      const content = await rig.content('blob-500');
      expect(content.tags).toEqual({
        'good-1': generated.tags['good-1'],
        'good-2': generated.tags['good-2'],
      });
      expect(content.blobs).not.toContain(layer);
      expect(await rig.store.has(layer)).toBe(false);
    },
    ENDS_WITHIN_MS,
  );

  it(
    'ends partial when a child manifest GET answers 404: MANIFEST_MISSING names child and list',
    async () => {
      const generated = repositories.get('failing/child')!;
      const child = generated.children['bad']![0]!;
      proxy.intercept = failGet(`/v2/failing/child/manifests/${child}`, 404, 'MANIFEST_UNKNOWN');

      const summary = await rig.sync({
        name: 'child-404',
        registryUrl: proxy.url,
        repository: 'failing/child',
      });

      expect(summary.result).toBe('partial');
      const list = generated.tags['bad']!;
      expect(summary.failed).toEqual([
        {
          repository: 'child-404',
          reference: 'bad',
          digest: child,
          manifest: list,
          code: 'MANIFEST_MISSING',
          message:
            `manifest ${child} listed by ${list} is missing upstream ` +
            '(manifest GET: HTTP 404: MANIFEST_UNKNOWN injected by the test)',
        },
      ]);
      const content = await rig.content('child-404');
      expect(Object.keys(content.tags).sort()).toEqual(['good-1', 'good-2']);
      expect(Object.keys(content.manifests)).not.toContain(generated.tags['bad']);
    },
    ENDS_WITHIN_MS,
  );

  it(
    'regression: a child shared by two lists is saved although each list fails on a sibling',
    async () => {
      // Lists `a` and `b` each hold the shared image and an image whose layer answers 500. One
      // tag at a time: whichever list comes first plans the shared image, then fails on its
      // sibling. That must not cancel the shared image's plan, or the other list waits for it
      // forever.
      const repo = 'failing/shared';
      const generated = repositories.get(repo)!;
      const [shared, x, y] = ['shared', 'x', 'y'].map((tag) => generated.tags[tag]!);
      const image = (digest: string, platform: (typeof PLATFORMS)[number]) => ({
        manifest: { digest, ...generated.manifests.get(digest)! } as Document,
        platform,
      });
      const listA = buildIndex('oci', [image(shared!, PLATFORMS[0]!), image(x!, PLATFORMS[1]!)]);
      const listB = buildIndex('oci', [image(shared!, PLATFORMS[0]!), image(y!, PLATFORMS[1]!)]);
      for (const [digest, bytes] of generated.blobs)
        await pushBlob(registry.url, repo, digest, bytes);
      for (const [digest, { bytes, mediaType }] of generated.manifests) {
        await pushManifest(registry.url, repo, digest, bytes, mediaType);
      }
      await pushManifest(registry.url, repo, 'a', listA.bytes, MediaType.ociIndex);
      await pushManifest(registry.url, repo, 'b', listB.bytes, MediaType.ociIndex);
      const [sharedLayer, xLayer, yLayer] = [shared, x, y].map((d) => ownLayer(generated, d!));
      const failX = failGet(`/v2/${repo}/blobs/${xLayer}`, 500, 'UNKNOWN');
      const failY = failGet(`/v2/${repo}/blobs/${yLayer}`, 500, 'UNKNOWN');
      proxy.intercept = (req, res) => {
        if (failX(req, res) || failY(req, res)) return true;
        if (req.url !== `/v2/${repo}/blobs/${sharedLayer}`) return false;
        // Served late, so the sibling's failure comes while the shared image still waits.
        const bytes = generated.blobs.get(sharedLayer!)!;
        res.writeHead(200, { 'content-length': bytes.length });
        setTimeout(() => res.end(bytes), 300);
        return true;
      };

      const summary = await rig.sync({
        name: 'shared-child',
        registryUrl: proxy.url,
        repository: repo,
        pipeline: { tagConcurrency: 1 },
      });

      expect(summary.result).toBe('partial');
      expect(summary.version).toBeNull();
      expect(summary.failed.map((f) => [f.reference, f.code]).sort()).toEqual([
        ['a', 'REGISTRY_ERROR'],
        ['b', 'REGISTRY_ERROR'],
      ]);
      const rows = await catalogRows(rig.catalog);
      expect(rows.manifests).toContain(shared);
      expect(rows.manifests).not.toContain(listA.digest);
      expect(rows.manifests).not.toContain(listB.digest);
      expect(rows.manifestBlobs).toContain(`${shared} ${sharedLayer}`);
      expect(await fileDigest(rig.store.pathOf(sharedLayer!))).toBe(sharedLayer);
    },
    ENDS_WITHIN_MS,
  );
});
