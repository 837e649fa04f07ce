import { readRepositoryStatus } from '../../src/app/read-repository-status';
import { checkConsistency } from '../harness/check-consistency';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { useProxiedUpstream } from '../harness/proxied-upstream';
import { deleteBlob, deleteManifest, pushBlob, pushGenerated, pushManifest } from '../harness/push';
import { catalogRows } from './catalog-expectations';

/**
 * Runs where some references fail: they end `partial`, keep what succeeded, say what failed in
 * the summary and the SyncRun row, keep (in mirror mode) what they could not check again, and
 * leave nothing behind that would stop the next run from trying again once upstream is repaired.
 */

const PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux' },
];

const BLOB_UNKNOWN = '(blob GET: HTTP 404: BLOB_UNKNOWN blob unknown to registry)';

/** An image manifest's config and its own (last) layer: no other tag has either. */
function ownBlobs(generated: GeneratedRepository, image: string) {
  const doc = JSON.parse(generated.manifests.get(image)!.bytes.toString('utf8')) as {
    config: { digest: string };
    layers: Array<{ digest: string }>;
  };
  return { config: doc.config.digest, layer: doc.layers[doc.layers.length - 1]!.digest };
}

describe.each(['postgres', 'pglite'] as const)('partial runs on %s', (kind) => {
  const up = useProxiedUpstream(kind);

  async function expectConsistent(): Promise<void> {
    const found = await checkConsistency(up.rig.catalog, up.rig.store);
    expect(Object.values(found).flat()).toEqual([]);
  }

  /** The paths the last run GET from the proxy, of one kind of request, sorted. */
  const gets = (kind: 'manifests' | 'blobs') =>
    up.proxy.requests
      .filter((r) => r.method === 'GET' && r.path.includes(`/${kind}/`))
      .map((r) => r.path.slice(r.path.lastIndexOf('/') + 1))
      .sort();

  it('records each failure, keeps what succeeded, retries the failures once repaired', async () => {
    const repo = 'partial/retry';
    const generated = await generateRepository({
      tags: ['good', 'bad-blob', 'bad-child'],
      platforms: PLATFORMS,
      seed: `${kind}/${repo}`,
      uniqueLayerBytes: 64,
    });
    await pushGenerated(up.registry.url, repo, generated);
    const [blobList, childList] = [generated.tags['bad-blob']!, generated.tags['bad-child']!];
    const brokenImage = generated.children['bad-blob']![0]!;
    const { layer } = ownBlobs(generated, brokenImage);
    const child = generated.children['bad-child']![1]!;
    await deleteBlob(up.registry.url, repo, layer);
    await deleteManifest(up.registry.url, repo, child);

    const first = await up.rig.sync({ name: repo, registryUrl: up.proxy.url });

    expect(first.result).toBe('partial');
    expect(first.version).toBe(1);
    expect(first.failed).toEqual([
      {
        repository: repo,
        reference: 'bad-blob',
        digest: layer,
        manifest: brokenImage,
        code: 'BLOB_MISSING',
        message: `blob ${layer} is missing upstream ${BLOB_UNKNOWN}`,
      },
      {
        repository: repo,
        reference: 'bad-child',
        digest: child,
        manifest: childList,
        code: 'MANIFEST_MISSING',
        message:
          `manifest ${child} listed by ${childList} is missing upstream ` +
          '(manifest GET: HTTP 404: MANIFEST_UNKNOWN manifest unknown)',
      },
    ]);
    const [status] = await readRepositoryStatus(up.rig.catalog, [repo]);
    expect(status!.lastRun).toMatchObject({
      result: 'partial',
      counts: { tags: 1, failed: 2 },
      error: { failed: first.failed },
    });
    expect((await up.rig.content(repo)).tags).toEqual({ good: generated.tags['good'] });
    const saved = (await catalogRows(up.rig.catalog)).manifests;
    for (const failed of [blobList, childList, brokenImage]) expect(saved).not.toContain(failed);
    await expectConsistent();

    await pushBlob(up.registry.url, repo, layer, generated.blobs.get(layer)!);
    const { bytes, mediaType } = generated.manifests.get(child)!;
    await pushManifest(up.registry.url, repo, child, bytes, mediaType);
    up.proxy.reset();
    const second = await up.rig.sync({ name: repo, registryUrl: up.proxy.url });

    expect(second).toMatchObject({ result: 'success', version: 2, failed: [] });
    expect((await up.rig.content(repo)).tags).toEqual(generated.tags);
    // Fetched again: the failed lists and what of them the first run could not save. The
    // sibling images each list saved then, and every blob stored then, are not.
    expect(gets('manifests')).toEqual([blobList, brokenImage, childList, child].sort());
    const childBlobs = ownBlobs(generated, child);
    expect(gets('blobs')).toEqual([layer, childBlobs.config, childBlobs.layer].sort());
    await expectConsistent();
  });

  it('keeps in mirror mode the content of a tag that fails; a deleted tag leaves', async () => {
    const repo = 'partial/mirror';
    const generated = await generateRepository({
      tags: ['stable', 'flaky', 'gone'],
      seed: `${kind}/${repo}`,
      uniqueLayerBytes: 64,
    });
    await pushGenerated(up.registry.url, repo, generated);
    const options = { name: repo, registryUrl: up.proxy.url, mirror: true };
    expect(await up.rig.sync(options)).toMatchObject({ result: 'success', version: 1 });
    const before = await up.rig.content(repo);
    const moved = await generateRepository({ tags: ['flaky'], seed: `${kind}/${repo}/moved` });
    await pushGenerated(up.registry.url, repo, moved);
    const newFlaky = moved.tags['flaky']!;
    const { layer } = ownBlobs(moved, newFlaky);
    await deleteBlob(up.registry.url, repo, layer);
    await deleteManifest(up.registry.url, repo, generated.tags['gone']!);

    const second = await up.rig.sync(options);

    expect(second.result).toBe('partial');
    expect(second.version).toBe(2);
    expect(second.failed).toEqual([
      {
        repository: repo,
        reference: 'flaky',
        digest: layer,
        manifest: newFlaky,
        code: 'BLOB_MISSING',
        message: `blob ${layer} is missing upstream ${BLOB_UNKNOWN}`,
      },
    ]);
    const kept = await up.rig.content(repo);
    expect(kept.tags).toEqual({ stable: generated.tags['stable'], flaky: generated.tags['flaky'] });
    const oldFlaky = ownBlobs(generated, generated.tags['flaky']!);
    expect(kept.manifestConfigs[generated.tags['flaky']!]).toBe(oldFlaky.config);
    expect(kept.blobs).toContain(oldFlaky.layer);
    expect(Object.keys(kept.manifests)).not.toContain(generated.tags['gone']);
    expect(Object.keys(kept.manifests).length).toBe(Object.keys(before.manifests).length - 1);
    await expectConsistent();

    await pushBlob(up.registry.url, repo, layer, moved.blobs.get(layer)!);
    const third = await up.rig.sync(options);

    expect(third).toMatchObject({ result: 'success', version: 3, failed: [] });
    const repaired = await up.rig.content(repo);
    expect(repaired.tags).toEqual({ stable: generated.tags['stable'], flaky: newFlaky });
    expect(Object.keys(repaired.manifests)).not.toContain(generated.tags['flaky']);
    await expectConsistent();
  });

  it('keeps, in mirror mode, the untagged manifest of a digest include that fails', async () => {
    const repo = 'partial/pinned';
    const generated = await generateRepository({
      tags: ['stable', 'pinned'],
      seed: `${kind}/${repo}`,
    });
    await pushGenerated(up.registry.url, repo, generated);
    const pinned = generated.tags['pinned']!;
    const options = {
      name: repo,
      registryUrl: up.proxy.url,
      mirror: true,
      pipeline: { tagFilter: (tag: string) => tag === 'stable', digests: [pinned] },
    };
    expect(await up.rig.sync(options)).toMatchObject({ result: 'success', version: 1 });
    up.proxy.intercept = (req, res) => {
      if (req.method !== 'HEAD' || req.url !== `/v2/${repo}/manifests/${pinned}`) return false;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'injected' }] }));
      return true;
    };

    const second = await up.rig.sync(options);

    expect(second.result).toBe('partial');
    expect(second.failed).toEqual([
      {
        repository: repo,
        reference: pinned,
        code: 'REGISTRY_ERROR',
        message: 'manifest HEAD: HTTP 400',
      },
    ]);
    expect(second.version).toBeNull();
    const content = await up.rig.content(repo);
    expect(content.version).toBe(1);
    expect(Object.keys(content.manifests).sort()).toEqual(
      [generated.tags['stable'], pinned].sort(),
    );
  });
});
