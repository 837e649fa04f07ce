import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { sha256Digest } from '../../src/content/digest';
import { MediaType } from '../../src/content/media-types';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

const REPOSITORY = 'hostile/app';
const TAGS = ['v1', 'v2', 'v3'];
const HEX = 'ab'.repeat(32);

/** Digests a hostile index or manifest may name, each served under a tag of its own. */
const BAD_DIGESTS: Record<string, string> = {
  'evil-traversal': 'sha256:../../../etc/passwd',
  'evil-uppercase': `sha256:${HEX.toUpperCase()}`,
  'evil-short': `sha256:${HEX.slice(1)}`,
  'evil-suffix': `sha256:${HEX}/../x`,
  'evil-algorithm': `md5:${HEX.slice(0, 32)}`,
};
/** A manifest whose layer, not an index entry, names a path. */
const BAD_LAYER = { tag: 'evil-layer', digest: 'sha256:../../../../tmp/evil-layer' };
/** Tags no registry may list: they would add a path segment to the manifest URL. */
const BAD_TAGS = ['../x', 'a/b'];

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Digests and tags a registry hands out are checked against their grammar before they name a
 * file or go into a URL. The counting proxy in front of the real registry adds hostile tags to
 * the tag list and serves, for some of them, an index or manifest naming a bad digest: each of
 * those tags fails on its own, nothing is asked for its bad value, nothing is written outside
 * the blob store, and the real tags sync.
 */
describe('hostile digests and tags from the registry', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let rig: SyncRig;
  let generated: GeneratedRepository;

  /** Served by path (`manifests/<tag>` and `manifests/<digest>`): body and media type. */
  const served = new Map<string, { bytes: Buffer; mediaType: string }>();

  function serve(tag: string, document: object, mediaType: string): string {
    const bytes = Buffer.from(JSON.stringify(document));
    const digest = sha256Digest(bytes);
    served.set(`/v2/${REPOSITORY}/manifests/${tag}`, { bytes, mediaType });
    served.set(`/v2/${REPOSITORY}/manifests/${digest}`, { bytes, mediaType });
    return digest;
  }

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    generated = await generateRepository({
      tags: TAGS,
      seed: REPOSITORY,
      platforms: [
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux' },
      ],
    });
    await pushGenerated(registry.url, REPOSITORY, generated);

    // Each hostile index lists a real child first, so only the bad entry is wrong with it.
    const child = generated.children['v1']![0]!;
    const realChild = {
      mediaType: MediaType.ociManifest,
      digest: child,
      size: generated.manifests.get(child)!.bytes.length,
      platform: { architecture: 'amd64', os: 'linux' },
    };
    for (const [tag, digest] of Object.entries(BAD_DIGESTS)) {
      const bad = { ...realChild, digest, platform: { architecture: 'arm64', os: 'linux' } };
      const index = {
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [realChild, bad],
      };
      serve(tag, index, MediaType.ociIndex);
    }
    const image = JSON.parse(generated.manifests.get(child)!.bytes.toString('utf8')) as {
      layers: Array<{ digest: string }>;
    };
    image.layers[0]!.digest = BAD_LAYER.digest;
    serve(BAD_LAYER.tag, image, MediaType.ociManifest);

    const listed = [...TAGS, ...Object.keys(BAD_DIGESTS), BAD_LAYER.tag, ...BAD_TAGS];
    proxy.intercept = (req, res) => {
      if (req.method === 'GET' && req.url === `/v2/${REPOSITORY}/tags/list`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ name: REPOSITORY, tags: listed }));
        return true;
      }
      const document = served.get(req.url ?? '');
      if (document === undefined) return false;
      res.writeHead(200, {
        'content-type': document.mediaType,
        'content-length': String(document.bytes.length),
        'docker-content-digest': sha256Digest(document.bytes),
      });
      res.end(req.method === 'HEAD' ? undefined : document.bytes);
      return true;
    };
  });

  beforeEach(async () => {
    rig = await createSyncRig('postgres');
    proxy.reset();
  });

  afterEach(async () => {
    await rig.close();
  });

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('fails each hostile tag alone, DIGEST_INVALID or REFERENCE_INVALID, and syncs the rest', async () => {
    const summary = await rig.sync({
      name: REPOSITORY,
      registryUrl: proxy.url,
      repository: REPOSITORY,
    });

    expect(summary.result).toBe('partial');
    const failed = [...summary.failed].sort((a, b) => a.reference.localeCompare(b.reference));
    const expected = [
      ...Object.entries(BAD_DIGESTS).map(([tag, digest]) => {
        const list = sha256Digest(served.get(`/v2/${REPOSITORY}/manifests/${tag}`)!.bytes);
        return {
          repository: REPOSITORY,
          reference: tag,
          digest: list,
          code: 'DIGEST_INVALID',
          message:
            `manifest ${list}: manifests[1].digest: ` +
            `not a valid sha256 or sha512 digest: ${JSON.stringify(digest)}`,
        };
      }),
      {
        repository: REPOSITORY,
        reference: BAD_LAYER.tag,
        code: 'DIGEST_INVALID',
        message: expect.stringContaining(
          `layers[0].digest: not a valid sha256 or sha512 digest: ${JSON.stringify(BAD_LAYER.digest)}`,
        ),
      },
      ...BAD_TAGS.map((tag) => ({
        repository: REPOSITORY,
        reference: tag,
        code: 'REFERENCE_INVALID',
        message: `not a tag or digest: ${tag}`,
      })),
    ].sort((a, b) => a.reference.localeCompare(b.reference));
    expect(failed).toEqual(expected.map((entry) => expect.objectContaining(entry)));
    expect((await rig.content(REPOSITORY)).tags).toEqual(generated.tags);
  });

  it('asks for nothing a bad value names and writes nothing outside the blob store', async () => {
    await rig.sync({ name: REPOSITORY, registryUrl: proxy.url, repository: REPOSITORY });

    // Manifests by tag or digest, blobs and referrers by digest, the API check, the tag list.
    const allowed = [
      /^(HEAD|GET) \/v2\/hostile\/app\/manifests\/([A-Za-z0-9_][\w.-]*|sha256:[a-f0-9]{64})$/,
      /^GET \/v2\/hostile\/app\/(blobs|referrers)\/sha256:[a-f0-9]{64}$/,
      /^GET \/v2\/(hostile\/app\/tags\/list)?$/,
    ];
    const requests = proxy.requests.map((entry) => `${entry.method} ${entry.path}${entry.search}`);
    expect(requests.filter((r) => !allowed.some((pattern) => pattern.test(r)))).toEqual([]);
    expect(requests.filter((r) => r.endsWith('/tags/list'))).toHaveLength(1);
    // The hostile tags were asked for by name (a first sync into an empty catalog GETs a tag's
    // manifest without a HEAD), their bad values never.
    const hostile = requests.filter((r) => /evil-|\.\.|passwd|[A-F]{8}|\/x$|a\/b$/.test(r));
    expect(hostile.sort()).toEqual(
      [...Object.keys(BAD_DIGESTS), BAD_LAYER.tag]
        .map((tag) => `GET /v2/${REPOSITORY}/manifests/${tag}`)
        .sort(),
    );
    const dataDir = path.dirname(rig.store.root);
    expect(await readdir(dataDir)).toEqual(['store']);
    const stored = await filesUnder(rig.store.root);
    expect(stored).toEqual(
      [...generated.blobs.keys()]
        .map((digest) => path.join('blobs', 'sha256', digest.slice(7)))
        .sort(),
    );
  });
});
