import { sha256Digest } from '../../src/content/digest';
import { MediaType } from '../../src/content/media-types';
import { checkCatalog } from '../../src/db/consistency-checks';
import { checkConsistency } from '../harness/check-consistency';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { useProxiedUpstream } from '../harness/proxied-upstream';
import { deleteBlob, deleteManifest, pushBlob, pushGenerated, pushManifest } from '../harness/push';
import { syncWithLog } from '../harness/signatures/sync-with-log';
import { expectOnlyFailure } from './failure-expectations';

/**
 * Manifests that are fine in themselves but name content that is missing or broken upstream.
 * The registry refuses to store a dangling reference, so each case pushes its repository whole
 * and then deletes the child or blob by digest; a config that is not JSON it stores as pushed.
 */

const TAGS = ['good-1', 'bad', 'good-2'];
const PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux' },
];
const NON_DISTRIBUTABLE = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';

interface ImageDocument {
  config: { mediaType: string; digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number; urls?: string[] }>;
}

function imageDocument(generated: GeneratedRepository, digest: string): ImageDocument {
  return JSON.parse(generated.manifests.get(digest)!.bytes.toString('utf8')) as ImageDocument;
}

/** The image's own (last) layer: no other tag has it. */
const ownLayer = (doc: ImageDocument) => doc.layers[doc.layers.length - 1]!.digest;

/** An OCI image manifest of `doc`'s shape, serialised once so its digest is fixed. */
function manifestBytes(doc: ImageDocument): Buffer {
  return Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, ...doc }),
  );
}

describe.each(['postgres', 'pglite'] as const)('broken content upstream on %s', (kind) => {
  const up = useProxiedUpstream(kind);

  /** A repository of its own per case, so no case finds another's content in the catalog. */
  async function pushRepository(
    repo: string,
    options: { tags?: string[]; multiPlatform?: boolean } = {},
  ): Promise<GeneratedRepository> {
    const generated = await generateRepository({
      tags: options.tags ?? TAGS,
      platforms: options.multiPlatform ? PLATFORMS : undefined,
      seed: `${kind}/${repo}`,
      uniqueLayerBytes: 64,
    });
    await pushGenerated(up.registry.url, repo, generated);
    return generated;
  }

  const goodTags = (generated: GeneratedRepository) => ({
    'good-1': generated.tags['good-1']!,
    'good-2': generated.tags['good-2']!,
  });

  const sync = (repo: string) => syncWithLog(up.rig, { name: repo, registryUrl: up.proxy.url });

  it('reports a list whose child is missing upstream as MANIFEST_MISSING', async () => {
    const repo = 'broken/missing-child';
    const generated = await pushRepository(repo, { multiPlatform: true });
    const list = generated.tags['bad']!;
    const child = generated.children['bad']![1]!;
    await deleteManifest(up.registry.url, repo, child);

    const run = await sync(repo);

    await expectOnlyFailure(up.rig, run, {
      failure: {
        repository: repo,
        reference: 'bad',
        digest: child,
        manifest: list,
        code: 'MANIFEST_MISSING',
        message:
          `manifest ${child} listed by ${list} is missing upstream ` +
          '(manifest GET: HTTP 404: MANIFEST_UNKNOWN manifest unknown)',
      },
      tags: goodTags(generated),
      unsaved: list,
    });
  });

  it('reports a layer missing upstream as BLOB_MISSING, naming its image', async () => {
    const repo = 'broken/missing-layer';
    const generated = await pushRepository(repo, { multiPlatform: true });
    const image = generated.children['bad']![0]!;
    const layer = ownLayer(imageDocument(generated, image));
    await deleteBlob(up.registry.url, repo, layer);

    const run = await sync(repo);

    await expectOnlyFailure(up.rig, run, {
      failure: {
        repository: repo,
        reference: 'bad',
        digest: layer,
        manifest: image,
        code: 'BLOB_MISSING',
        message:
          `blob ${layer} is missing upstream ` +
          '(blob GET: HTTP 404: BLOB_UNKNOWN blob unknown to registry)',
      },
      tags: goodTags(generated),
      unsaved: generated.tags['bad']!,
    });
    expect(await up.rig.store.has(layer)).toBe(false);
  });

  it('reports a config blob missing upstream as BLOB_MISSING', async () => {
    const repo = 'broken/missing-config';
    const generated = await pushRepository(repo);
    const image = generated.tags['bad']!;
    const config = imageDocument(generated, image).config.digest;
    await deleteBlob(up.registry.url, repo, config);

    const run = await sync(repo);

    await expectOnlyFailure(up.rig, run, {
      failure: {
        repository: repo,
        reference: 'bad',
        digest: config,
        manifest: image,
        code: 'BLOB_MISSING',
        message:
          `blob ${config} is missing upstream ` +
          '(blob GET: HTTP 404: BLOB_UNKNOWN blob unknown to registry)',
      },
      tags: goodTags(generated),
      unsaved: image,
    });
  });

  it('reports an image config that is not JSON as IMAGE_CONFIG_INVALID', async () => {
    const repo = 'broken/config-not-json';
    const generated = await pushRepository(repo);
    const configBytes = Buffer.from('architecture=amd64\nos=linux\n');
    const config = sha256Digest(configBytes);
    const doc = imageDocument(generated, generated.tags['bad']!);
    const bytes = manifestBytes({
      config: { mediaType: MediaType.ociConfig, digest: config, size: configBytes.length },
      layers: doc.layers,
    });
    await pushBlob(up.registry.url, repo, config, configBytes);
    const image = await pushManifest(up.registry.url, repo, 'bad', bytes, MediaType.ociManifest);

    const run = await sync(repo);

    await expectOnlyFailure(up.rig, run, {
      failure: {
        repository: repo,
        reference: 'bad',
        digest: config,
        manifest: image,
        code: 'IMAGE_CONFIG_INVALID',
        message: `image config ${config} of manifest ${image} is not JSON`,
      },
      tags: goodTags(generated),
      unsaved: image,
    });
  });

  it('records a non-distributable layer with its urls and never downloads it', async () => {
    const repo = 'broken/non-distributable';
    const generated = await pushRepository(repo, { tags: ['plain', 'foreign'] });
    const foreignBytes = Buffer.from('a layer only its vendor may distribute');
    const foreign = sha256Digest(foreignBytes);
    const urls = ['https://vendor.example/layers/base.tgz', 'https://mirror.example/base.tgz'];
    const doc = imageDocument(generated, generated.tags['foreign']!);
    const bytes = manifestBytes({
      config: doc.config,
      layers: [
        { mediaType: NON_DISTRIBUTABLE, digest: foreign, size: foreignBytes.length, urls },
        ...doc.layers,
      ],
    });
    const image = await pushManifest(
      up.registry.url,
      repo,
      'foreign',
      bytes,
      MediaType.ociManifest,
    );
    up.proxy.reset();

    const { summary } = await sync(repo);

    expect(summary.result).toBe('success');
    expect(summary.failed).toEqual([]);
    const content = await up.rig.content(repo);
    expect(content.tags).toEqual({ plain: generated.tags['plain'], foreign: image });
    expect(content.blobs).toContain(foreign);
    expect(content.manifestBlobs.filter(([m]) => m === image).map(([, b]) => b)).toEqual(
      [foreign, ...doc.layers.map((l) => l.digest)].sort(),
    );
    const row: Array<{ stored: boolean; size: number; media_type: string }> =
      await up.rig.catalog.read((m) =>
        m.query('SELECT stored, size::int, media_type FROM blob WHERE digest = $1', [foreign]),
      );
    expect(row).toEqual([
      { stored: false, size: foreignBytes.length, media_type: NON_DISTRIBUTABLE },
    ]);
    const sources: Array<{ url: string }> = await up.rig.catalog.read((m) =>
      m.query(
        `SELECT s.url FROM blob_source s JOIN blob b ON b.id = s.blob_id
          WHERE b.digest = $1 ORDER BY s.url`,
        [foreign],
      ),
    );
    expect(sources.map((s) => s.url)).toEqual([...urls].sort());
    expect(up.proxy.requests.filter((r) => r.path.endsWith(`/blobs/${foreign}`))).toEqual([]);
    expect(await up.rig.store.has(foreign)).toBe(false);
    const found = await checkConsistency(up.rig.catalog, up.rig.store);
    expect(Object.values(found).flat()).toEqual([]);
    const withoutItsRows = await checksWithout(foreign);
    expect(withoutItsRows.manifestMissingLayers).toEqual([image]);
    expect(withoutItsRows.unstoredBlobWithoutSource).toEqual([foreign]);
  });

  /** What the checks find once a blob's join rows and sources are gone (rolled back after). */
  async function checksWithout(blob: string) {
    class Rollback extends Error {
      constructor(readonly found: Awaited<ReturnType<typeof checkCatalog>>) {
        super('rollback');
      }
    }
    const rollback = up.rig.catalog.transaction(async (m) => {
      for (const table of ['manifest_blob', 'blob_source']) {
        await m.query(
          `DELETE FROM ${table} WHERE blob_id = (SELECT id FROM blob WHERE digest = $1)`,
          [blob],
        );
      }
      throw new Rollback(await checkCatalog(m));
    });
    return rollback.catch((err: unknown) => {
      if (err instanceof Rollback) return err.found;
      throw err;
    });
  }
});
