import { sha256Digest } from '../../src/content/digest';
import { MediaType } from '../../src/content/media-types';
import { buildLayer } from '../harness/build-layer';
import { buildConfig, buildImageManifest, type Document } from '../harness/image-documents';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushBlob, pushManifest } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

const AMD64 = { architecture: 'amd64', os: 'linux' };
const ARM64 = { architecture: 'arm64', os: 'linux', variant: 'v8' };

interface IndexEntry {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  platform?: { architecture: string; os: string; variant?: string };
}

/** An OCI index over `entries`; an entry without a platform (a nested index) gets none. */
function ociIndex(entries: IndexEntry[]): Document {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: entries.map(({ digest, mediaType, bytes: body, platform }) => ({
        mediaType,
        digest,
        size: body.length,
        ...(platform && { platform }),
      })),
    }),
  );
  return { bytes, digest: sha256Digest(bytes), mediaType: MediaType.ociIndex };
}

/** Plain single-platform images, one per name, each with a layer no other case has. */
async function images(seed: string, names: string[]) {
  const generated = await generateRepository({ tags: names, seed, uniqueLayerBytes: 48 });
  const entry = (name: string, platform?: IndexEntry['platform']): IndexEntry => {
    const digest = generated.tags[name]!;
    return { digest, ...generated.manifests.get(digest)!, ...(platform && { platform }) };
  };
  return { generated, entry };
}

/** Pushes blobs and image manifests by digest: no tags, the case adds its own. */
async function pushUntagged(registryUrl: string, repo: string, generated: GeneratedRepository) {
  for (const [digest, bytes] of generated.blobs) await pushBlob(registryUrl, repo, digest, bytes);
  for (const [digest, { bytes, mediaType }] of generated.manifests) {
    await pushManifest(registryUrl, repo, digest, bytes, mediaType);
  }
}

const sortRows = <T>(rows: T[]) => [...rows].sort((a, b) => (String(a) < String(b) ? -1 : 1));

describe('regressions, synced on postgres', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let rig: SyncRig;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    rig = await createSyncRig('postgres');
  });

  afterAll(async () => {
    await rig?.close();
    await proxy?.stop();
    await registry?.stop();
  });

  beforeEach(() => proxy.reset());

  it('regression: one manifest under many tags is one row, with a tag row per name', async () => {
    const { generated, entry } = await images('many-tags', ['only']);
    const image = entry('only');
    await pushUntagged(registry.url, 'cases/many-tags', generated);
    const tags = ['v1', 'v1.0', 'v1.0.0', 'stable', 'latest', 'prod'];
    for (const tag of tags) {
      await pushManifest(registry.url, 'cases/many-tags', tag, image.bytes, image.mediaType);
    }

    const summary = await rig.sync({
      name: 'many-tags',
      registryUrl: proxy.url,
      repository: 'cases/many-tags',
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], tags: 6, manifests: 1 });
    const content = await rig.content('many-tags');
    expect(content.tags).toEqual(Object.fromEntries(tags.map((t) => [t, image.digest])));
    expect(Object.keys(content.manifests)).toEqual([image.digest]);
    expect(content.blobs).toEqual([...generated.blobs.keys()].sort());
    expect(proxy.counts().blobGet).toBe(generated.blobs.size);
  });

  it('regression: one manifest in two lists is saved once with an entry in each', async () => {
    const { generated, entry } = await images('two-lists', ['shared', 'left', 'right']);
    const shared = entry('shared', AMD64);
    const listOne = ociIndex([shared, entry('left', ARM64)]);
    const listTwo = ociIndex([shared, entry('right', ARM64)]);
    await pushUntagged(registry.url, 'cases/two-lists', generated);
    await pushManifest(registry.url, 'cases/two-lists', 'one', listOne.bytes, listOne.mediaType);
    await pushManifest(registry.url, 'cases/two-lists', 'two', listTwo.bytes, listTwo.mediaType);

    const summary = await rig.sync({
      name: 'two-lists',
      registryUrl: proxy.url,
      repository: 'cases/two-lists',
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], manifests: 5 });
    const content = await rig.content('two-lists');
    expect(content.tags).toEqual({ one: listOne.digest, two: listTwo.digest });
    expect(sortRows(content.listManifests)).toEqual(
      sortRows([
        [listOne.digest, shared.digest, 'amd64', 'linux', ''],
        [listOne.digest, generated.tags['left']!, 'arm64', 'linux', 'v8'],
        [listTwo.digest, shared.digest, 'amd64', 'linux', ''],
        [listTwo.digest, generated.tags['right']!, 'arm64', 'linux', 'v8'],
      ]),
    );
    expect(Object.keys(content.manifests).sort()).toEqual(
      [listOne.digest, listTwo.digest, ...Object.values(generated.tags)].sort(),
    );
  });

  it('regression: a layer listed twice in one manifest links once and downloads once', async () => {
    const first = await buildLayer([{ path: 'twice/a', content: Buffer.from('listed twice') }]);
    const second = await buildLayer([{ path: 'twice/b', content: Buffer.from('listed once') }]);
    const layers = [first, second, first];
    const config = buildConfig('oci', AMD64, 'twice', layers);
    const manifest = buildImageManifest('oci', config, layers);
    const repo = 'cases/layer-twice';
    await pushBlob(registry.url, repo, config.digest, config.bytes);
    for (const layer of [first, second]) {
      await pushBlob(registry.url, repo, layer.digest, layer.compressed);
    }
    await pushManifest(registry.url, repo, 'twice', manifest.bytes, manifest.mediaType);

    const summary = await rig.sync({
      name: 'layer-twice',
      registryUrl: proxy.url,
      repository: repo,
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], manifests: 1, blobs: 3 });
    const content = await rig.content('layer-twice');
    expect(content.tags).toEqual({ twice: manifest.digest });
    expect(content.manifestBlobs).toEqual(
      sortRows([
        [manifest.digest, first.digest],
        [manifest.digest, second.digest],
      ]),
    );
    expect(content.manifestConfigs).toEqual({ [manifest.digest]: config.digest });
    expect(content.blobs).toEqual([config.digest, first.digest, second.digest].sort());
    expect(proxy.counts().blobGet).toBe(3);
  });

  it('regression: an index of an index links each level to its own children', async () => {
    const { generated, entry } = await images('nested', ['inner-a', 'inner-b', 'beside']);
    const inner = ociIndex([entry('inner-a', AMD64), entry('inner-b', ARM64)]);
    const outer = ociIndex([{ ...inner }, entry('beside', AMD64)]);
    const repo = 'cases/nested';
    await pushUntagged(registry.url, repo, generated);
    await pushManifest(registry.url, repo, inner.digest, inner.bytes, inner.mediaType);
    await pushManifest(registry.url, repo, 'nested', outer.bytes, outer.mediaType);

    const summary = await rig.sync({ name: 'nested', registryUrl: proxy.url, repository: repo });

    expect(summary).toMatchObject({ result: 'success', failed: [], manifests: 5 });
    const content = await rig.content('nested');
    expect(content.tags).toEqual({ nested: outer.digest });
    expect(
      Object.fromEntries(Object.entries(content.manifests).map(([d, m]) => [d, m.kind])),
    ).toEqual({
      [outer.digest]: 'index',
      [inner.digest]: 'index',
      [generated.tags['inner-a']!]: 'image',
      [generated.tags['inner-b']!]: 'image',
      [generated.tags['beside']!]: 'image',
    });
    expect(sortRows(content.listManifests)).toEqual(
      sortRows([
        [outer.digest, inner.digest, '', '', ''],
        [outer.digest, generated.tags['beside']!, 'amd64', 'linux', ''],
        [inner.digest, generated.tags['inner-a']!, 'amd64', 'linux', ''],
        [inner.digest, generated.tags['inner-b']!, 'arm64', 'linux', 'v8'],
      ]),
    );
    expect(content.blobs).toEqual([...generated.blobs.keys()].sort());
  });
});
