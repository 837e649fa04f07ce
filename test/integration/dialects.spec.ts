import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { sha256Digest } from '../../src/content/digest';
import { BasicAuth } from '../../src/registry/basic-auth';
import { RegistryClient } from '../../src/registry/registry-client';
import { type BlobHost, startBlobHost } from '../harness/dialects/blob-host';
import { relayAltered } from '../harness/dialects/relay';
import { type NextStyle, pagedTags } from '../harness/dialects/tag-pages';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

const PAGED_TAGS = ['t1', 't2', 't3', 't4', 't5'];

/** 128 characters, the most a tag may have (distribution-spec, "Pulling manifests"). */
const LONG_TAGS = [`A${'b.c-d_'.repeat(21)}b`, `Z${'_-.Xy9'.repeat(21)}0`, `_${'a'.repeat(126)}Q`];

const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/]+$/;

function isManifestRequest(req: IncomingMessage): boolean {
  return MANIFEST_PATH.test(req.url ?? '');
}

describe('registry dialects', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let rig: SyncRig;

  /** Generates a repository from `seed`, pushes it straight to the registry, and returns it. */
  async function pushed(
    repository: string,
    tags: string[],
    seed: string,
    platforms = 1,
    format: 'oci' | 'docker' = 'oci',
  ) {
    const generated = await generateRepository({
      tags,
      seed,
      format,
      platforms: [
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux' },
      ].slice(0, platforms),
    });
    await pushGenerated(registry.url, repository, generated);
    return generated;
  }

  function pathsOf(kind: string, method = 'GET'): string[] {
    return proxy.requests
      .filter((entry) => entry.kind === kind && entry.method === method)
      .map((entry) => entry.path)
      .sort();
  }

  function tagSearches(): string[] {
    return proxy.requests.filter((entry) => entry.kind === 'tags').map((entry) => entry.search);
  }

  function sortedBlobs(generated: GeneratedRepository): string[] {
    return [...generated.blobs.keys()].sort();
  }

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
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
    await proxy?.stop();
    await registry?.stop();
  });

  it('computes digests from GET bodies when HEADs carry no Docker-Content-Digest', async () => {
    const repository = 'dialect/no-head-digest';
    const generated = await pushed(repository, ['v1', 'v2', 'v3'], 'dialect/no-head-digest');
    proxy.intercept = (req, res) => {
      if (req.method !== 'HEAD' || !isManifestRequest(req)) return false;
      relayAltered(registry.url, req, res, (headers) => delete headers['docker-content-digest']);
      return true;
    };

    const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

    expect(summary.result).toBe('success');
    const content = await rig.content(repository);
    expect(content.tags).toEqual(generated.tags);
    expect(content.blobs).toEqual(sortedBlobs(generated));
    expect(pathsOf('manifestGet')).toEqual([
      `/v2/${repository}/manifests/v1`,
      `/v2/${repository}/manifests/v2`,
      `/v2/${repository}/manifests/v3`,
    ]);
  });

  describe('tag list pages of 2 linked by the proxy', () => {
    const path = (repository: string) => `/v2/${repository}/tags/list`;

    it('follows a relative Link', async () => {
      const repository = 'dialect/pages-relative';
      const generated = await pushed(repository, PAGED_TAGS, repository);
      proxy.intercept = pagedTags(repository, PAGED_TAGS, { kind: 'relative' });

      const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

      expect(summary.result).toBe('success');
      expect((await rig.content(repository)).tags).toEqual(generated.tags);
      expect(tagSearches()).toEqual(['', '?n=2&last=t2', '?n=2&last=t4']);
    });

    it('follows an absolute Link to the same origin', async () => {
      const repository = 'dialect/pages-absolute';
      const generated = await pushed(repository, PAGED_TAGS, repository);
      const style: NextStyle = { kind: 'absolute', origin: proxy.url };
      proxy.intercept = pagedTags(repository, PAGED_TAGS, style);

      const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

      expect(summary.result).toBe('success');
      expect((await rig.content(repository)).tags).toEqual(generated.tags);
      expect(tagSearches()).toEqual(['', '?n=2&last=t2', '?n=2&last=t4']);
    });

    it('follows an opaque next_page token as sent', async () => {
      const repository = 'dialect/pages-opaque';
      const generated = await pushed(repository, PAGED_TAGS, repository);
      proxy.intercept = pagedTags(repository, PAGED_TAGS, { kind: 'opaque' });

      const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

      expect(summary.result).toBe('success');
      expect((await rig.content(repository)).tags).toEqual(generated.tags);
      expect(tagSearches()).toEqual([
        '',
        '?next_page=cGFnZS1mcm9tLTI',
        '?next_page=cGFnZS1mcm9tLTQ',
      ]);
    });

    describe('with a Link to another host', () => {
      let foreign: BlobHost;

      beforeEach(async () => {
        foreign = await startBlobHost(new Map(), '127.0.0.2');
      });

      afterEach(async () => {
        await foreign.stop();
      });

      it('fails LINK_REFUSED and fetches nothing from that host', async () => {
        const repository = 'dialect/pages-foreign';
        await pushed(repository, PAGED_TAGS, repository);
        const style: NextStyle = { kind: 'foreign', origin: foreign.origin };
        proxy.intercept = pagedTags(repository, PAGED_TAGS, style);

        const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

        expect(summary.result).toBe('failed');
        expect(summary.error).toMatchObject({
          code: 'LINK_REFUSED',
          url: `${foreign.origin}${path(repository)}`,
        });
        expect(foreign.seen).toEqual([]);
        expect(tagSearches()).toEqual(['']);
        expect((await rig.content(repository)).tags).toEqual({});
      });
    });
  });

  it('syncs every tag from a registry that refuses tag pages over 100', async () => {
    const repository = 'dialect/page-cap';
    const generated = await pushed(repository, PAGED_TAGS, repository);
    proxy.intercept = (req, res) => {
      const url = new URL(req.url ?? '/', proxy.url);
      if (!url.pathname.endsWith('/tags/list')) return false;
      if (Number(url.searchParams.get('n') ?? 0) <= 100) return false;
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"PAGINATION_NUMBER_INVALID","message":"n over 100"}]}');
      return true;
    };

    const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

    expect(summary.result).toBe('success');
    expect((await rig.content(repository)).tags).toEqual(generated.tags);
    expect(proxy.requests.filter((entry) => entry.kind === 'tags')).toEqual([
      { method: 'GET', path: `/v2/${repository}/tags/list`, search: '', kind: 'tags', status: 200 },
    ]);
  });

  it('syncs 128-character tags with dots, dashes, underscores and capitals exactly', async () => {
    const repository = 'team/sub/app';
    const generated = await pushed(repository, LONG_TAGS, 'dialect/long-tags');

    const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

    expect(summary.result).toBe('success');
    const content = await rig.content(repository);
    expect(LONG_TAGS.map((tag) => tag.length)).toEqual([128, 128, 128]);
    expect(content.tags).toEqual(generated.tags);
    expect(Object.keys(content.tags).sort()).toEqual([...LONG_TAGS].sort());
    expect(content.blobs).toEqual(sortedBlobs(generated));
    // Into an empty catalog each tag's manifest is fetched by its name, without a HEAD first.
    expect(pathsOf('manifestHead', 'HEAD')).toEqual([]);
    expect(pathsOf('manifestGet').filter((path) => !path.includes('/sha256:'))).toEqual(
      [...LONG_TAGS].sort().map((tag) => `/v2/team/sub/app/manifests/${tag}`),
    );
  });

  describe('blob GETs redirected to another origin', () => {
    const credentials = { username: 'mirror', password: 'redirect secret 7f3a' };
    let blobHost: BlobHost;

    afterEach(async () => {
      await blobHost.stop();
    });

    it('sends no Authorization to the redirect target', async () => {
      const repository = 'dialect/redirected-blobs';
      const generated = await pushed(repository, ['v1', 'v2'], repository);
      blobHost = await startBlobHost(generated.blobs);
      const registryAuth: Array<string | undefined> = [];
      proxy.intercept = (req: IncomingMessage, res: ServerResponse) => {
        registryAuth.push(req.headers.authorization);
        const blob = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? '');
        if (req.method !== 'GET' || !blob) return false;
        res.writeHead(307, { location: `${blobHost.origin}/blob/${blob[1]}` });
        res.end();
        return true;
      };
      const upstream = new RegistryClient({
        registryUrl: proxy.url,
        repository,
        authenticator: new BasicAuth(credentials),
      });

      const summary = await rig.sync({ name: repository, upstream });
      upstream.close();

      expect(summary.result).toBe('success');
      expect((await rig.content(repository)).blobs).toEqual(sortedBlobs(generated));
      const basic = `Basic ${Buffer.from('mirror:redirect secret 7f3a').toString('base64')}`;
      expect(new Set(registryAuth)).toEqual(new Set([basic]));
      expect(blobHost.seen.map((headers) => headers.authorization)).toEqual(
        sortedBlobs(generated).map(() => undefined),
      );
      expect(pathsOf('blobGet')).toEqual(
        sortedBlobs(generated).map((digest) => `/v2/${repository}/blobs/${digest}`),
      );
    });
  });

  it('records bare media types when manifest Content-Type carries parameters', async () => {
    const repository = 'dialect/content-type-params';
    const generated = await pushed(repository, ['v1'], repository, 2);
    proxy.intercept = (req, res) => {
      if (!isManifestRequest(req)) return false;
      relayAltered(registry.url, req, res, (headers) => {
        headers['content-type'] = `${String(headers['content-type'])}; charset=utf-8`;
      });
      return true;
    };

    const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

    expect(summary.result).toBe('success');
    const content = await rig.content(repository);
    expect(content.tags).toEqual(generated.tags);
    expect(
      Object.fromEntries(Object.entries(content.manifests).map(([d, m]) => [d, m.mediaType])),
    ).toEqual(Object.fromEntries([...generated.manifests].map(([d, m]) => [d, m.mediaType])));
    expect(new Set(Object.values(content.manifests).map((m) => m.mediaType))).toEqual(
      new Set([
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.oci.image.manifest.v1+json',
      ]),
    );
  });

  // Without `mediaType` a docker manifest list reads as an OCI index by its shape, so only the
  // served Content-Type, read without its parameters, can name it.
  it('reads a parameterised Content-Type when the document names no media type', async () => {
    const repository = 'dialect/content-type-only';
    const generated = await pushed(repository, ['v1'], repository, 2, 'docker');
    const tagPath = `/v2/${repository}/manifests/v1`;
    const withoutMediaType = (body: Buffer) => {
      const { mediaType: _dropped, ...rest } = JSON.parse(body.toString('utf8')) as object & {
        mediaType?: string;
      };
      return Buffer.from(JSON.stringify(rest));
    };
    const served = withoutMediaType(generated.manifests.get(generated.tags['v1']!)!.bytes);
    proxy.intercept = (req, res) => {
      if (req.url !== tagPath) return false;
      const alterHeaders = (headers: OutgoingHttpHeaders) => {
        delete headers['docker-content-digest'];
        headers['content-length'] = String(served.length);
        headers['content-type'] = `${String(headers['content-type'])}; charset=utf-8`;
      };
      relayAltered(registry.url, req, res, alterHeaders, withoutMediaType);
      return true;
    };

    const summary = await rig.sync({ name: repository, registryUrl: proxy.url, repository });

    expect(summary).toMatchObject({ failed: [] });
    expect(summary.result).toBe('success');
    const content = await rig.content(repository);
    expect(content.tags).toEqual({ v1: sha256Digest(served) });
    expect(content.manifests[sha256Digest(served)]?.mediaType).toBe(
      'application/vnd.docker.distribution.manifest.list.v2+json',
    );
    expect(generated.children['v1']!.map((digest) => content.manifests[digest]?.mediaType)).toEqual(
      [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.docker.distribution.manifest.v2+json',
      ],
    );
  });
});
