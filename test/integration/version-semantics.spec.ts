import type { Catalog } from '../../src/db/catalog';
import type { SyncSummary } from '../../src/pipeline/sync-repository';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { deleteManifest, pushGenerated, pushManifest } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';
import { expectedRows } from './catalog-expectations';

/**
 * Every tag row of a version as `name digest`, duplicates kept: `VersionContent.tags` is keyed
 * by name, so it could not show a name that holds two rows.
 */
async function tagRows(catalog: Catalog, repository: string, version: number) {
  const rows: Array<{ name: string; digest: string }> = await catalog.read((m) =>
    m.query(
      `SELECT t.name, m.digest FROM repository_content rc
         JOIN repository r ON r.id = rc.repository_id
         JOIN tag t ON rc.content_type = 'tag' AND t.id = rc.content_id
         JOIN manifest m ON m.id = t.manifest_id
        WHERE r.name = $1 AND rc.version_added <= $2
          AND (rc.version_removed IS NULL OR rc.version_removed > $2)
        ORDER BY 1, 2`,
      [repository, version],
    ),
  );
  return rows.map((r) => `${r.name} ${r.digest}`);
}

describe('versions after tags change upstream (postgres)', () => {
  const repo = 'versions/app';
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let rig: SyncRig;
  let generated: GeneratedRepository;
  /** The manifest `move` points at after the change. */
  let moved: string;
  const second = new Map<string, SyncSummary>();

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    rig = await createSyncRig('postgres');
    // `next` only supplies the manifest that `move` is moved to; it is untagged again below.
    generated = await generateRepository({ tags: ['keep', 'drop', 'move', 'next'], seed: 'ver' });
    await pushGenerated(registry.url, repo, generated);
    moved = generated.tags['next']!;
    const { bytes, mediaType } = generated.manifests.get(moved)!;
    await deleteManifest(registry.url, repo, moved);
    await pushManifest(registry.url, repo, moved, bytes, mediaType);

    for (const [name, mirror] of [
      ['mirrored', true],
      ['kept', false],
    ] as const) {
      const first = await rig.sync({ name, registryUrl: registry.url, repository: repo, mirror });
      if (first.version !== 1) throw new Error(`first sync of ${name}: ${JSON.stringify(first)}`);
    }

    // Upstream: `drop` goes with its manifest, `move` now names another manifest.
    await deleteManifest(registry.url, repo, generated.tags['drop']!);
    await pushManifest(registry.url, repo, 'move', bytes, mediaType);
    for (const [name, mirror] of [
      ['mirrored', true],
      ['kept', false],
    ] as const) {
      second.set(
        name,
        await rig.sync({ name, registryUrl: registry.url, repository: repo, mirror }),
      );
    }
  });

  afterEach(() => {
    proxy.intercept = undefined;
  });

  afterAll(async () => {
    await proxy?.stop();
    await rig?.close();
    await registry?.stop();
  });

  it('version 1 of both holds the three tags as they first were', async () => {
    const { keep, drop, move } = generated.tags;

    const rows = await Promise.all(
      ['mirrored', 'kept'].map((name) => tagRows(rig.catalog, name, 1)),
    );

    const want = [`drop ${drop}`, `keep ${keep}`, `move ${move}`];
    expect(rows).toEqual([want, want]);
  });

  it('mirror=true: the deleted tag and what only it reached leave version 2', async () => {
    const { keep, drop, move } = generated.tags;

    const content = await rig.content('mirrored');

    expect(second.get('mirrored')).toMatchObject({ result: 'success', version: 2, failed: [] });
    expect(content.version).toBe(2);
    expect(content.tags).toEqual({ keep, move: moved });
    expect(await tagRows(rig.catalog, 'mirrored', 2)).toEqual([`keep ${keep}`, `move ${moved}`]);
    expect(Object.keys(content.manifests).sort()).toEqual([keep!, moved].sort());
    expect(Object.keys(content.manifests)).not.toContain(drop);
    expect(Object.keys(content.manifests)).not.toContain(move);
    const reached = new Map([keep!, moved].map((d) => [d, generated.manifests.get(d)!]));
    expect(content.blobs).toEqual(expectedRows(reached).blobs);
  });

  it('mirror=true: version 1 still reads as it was', async () => {
    const { keep, drop, move } = generated.tags;

    const content = await rig.content('mirrored', 1);

    expect(content.version).toBe(1);
    expect(content.tags).toEqual({ keep, drop, move });
    expect(Object.keys(content.manifests).sort()).toEqual([keep!, drop!, move!].sort());
  });

  it('mirror=false: the deleted tag is kept; the moved tag replaces its old row', async () => {
    const { keep, drop, move } = generated.tags;

    const content = await rig.content('kept');

    expect(second.get('kept')).toMatchObject({ result: 'success', version: 2, failed: [] });
    expect(content.tags).toEqual({ keep, drop, move: moved });
    expect(await tagRows(rig.catalog, 'kept', 2)).toEqual([
      `drop ${drop}`,
      `keep ${keep}`,
      `move ${moved}`,
    ]);
    expect(Object.keys(content.manifests).sort()).toEqual([keep!, drop!, move!, moved].sort());
  });

  it('mirror=true: a tag whose HEAD fails keeps its row; no new version is made', async () => {
    const { keep } = generated.tags;
    proxy.intercept = (req, res) => {
      if (req.method !== 'HEAD' || req.url !== `/v2/${repo}/manifests/keep`) return false;
      res.writeHead(503);
      res.end();
      return true;
    };

    const summary = await rig.sync({
      name: 'mirrored',
      registryUrl: proxy.url,
      repository: repo,
      mirror: true,
    });

    expect(summary).toMatchObject({ result: 'partial', version: null });
    expect(summary.failed).toEqual([
      expect.objectContaining({ reference: 'keep', code: 'REGISTRY_ERROR' }),
    ]);
    const content = await rig.content('mirrored');
    expect(content.version).toBe(2);
    expect(content.tags).toEqual({ keep, move: moved });
  });
});
