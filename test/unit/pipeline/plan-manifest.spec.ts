import { from, lastValueFrom, tap, toArray } from 'rxjs';
import type { ParsedManifest } from '../../../src/content/manifest-types';
import { Blob } from '../../../src/db/entities/blob';
import { Manifest } from '../../../src/db/entities/manifest';
import { Tag } from '../../../src/db/entities/tag';
import { SyncError } from '../../../src/errors';
import { type AnyDc, BlobDc, ManifestDc, TagDc } from '../../../src/pipeline/declarative-content';
import { tagsToContent } from '../../../src/pipeline/tags-to-content';
import type { BlobStore } from '../../../src/storage/blob-store';
import {
  blobDescriptor,
  FakeCatalog,
  fakeContext,
  FakeUpstream,
  imageManifest,
  indexManifest,
} from './fakes';

/** An image with an artifact config (not read back) and one layer of its own. */
function image(name: string): ParsedManifest {
  const config = blobDescriptor(`config of ${name}`, 'application/vnd.example.config+json');
  return imageManifest(config.descriptor, [blobDescriptor(`layer of ${name}`).descriptor]);
}

function serve(upstream: FakeUpstream, ...manifests: ParsedManifest[]): void {
  for (const m of manifests) {
    upstream.manifests.set(m.digest, { bytes: m.bytes, mediaType: m.mediaType });
  }
}

/**
 * Stands in for download and save: resolves each DC after `delayOf(dc)` ms, or fails it when
 * `failing` names its key, as the download stage does with a blob whose GET failed.
 */
function downstream(delayOf: (dc: AnyDc) => number, failing: Set<string>) {
  return tap((dc: AnyDc) => {
    setTimeout(() => {
      const failure = new SyncError('REGISTRY_ERROR', 'blob GET: HTTP 500', { digest: dc.key });
      if (failing.has(dc.key)) dc.fail(failure);
      else if (dc instanceof BlobDc) dc.resolve(Object.assign(new Blob(), { id: `b-${dc.key}` }));
      else if (dc instanceof ManifestDc) dc.resolve(Object.assign(new Manifest(), { id: dc.key }));
      else if (dc instanceof TagDc) dc.resolve(Object.assign(new Tag(), { id: `t-${dc.name}` }));
    }, delayOf(dc));
  });
}

describe('planManifest through the first stage', () => {
  it('plans a nested index: the inner index waits for its children, the outer for it', async () => {
    const leaves = [image('leaf-1'), image('leaf-2')];
    const inner = indexManifest(leaves);
    const outer = indexManifest([inner, image('beside')]);
    const upstream = new FakeUpstream();
    upstream.heads.set('nested', outer.digest);
    serve(upstream, outer, inner, ...leaves, image('beside'));
    const ctx = fakeContext({ upstream, store: {} as BlobStore });

    // Entries as each list was put: a saved manifest lets go of its parts.
    const entriesOf = new Map<string, string[]>();
    const out = await lastValueFrom(
      from(['nested']).pipe(
        tagsToContent(ctx),
        tap((dc) => {
          if (dc instanceof ManifestDc) {
            entriesOf.set(
              dc.key,
              dc.extra.entries.map((e) => (e.child as ManifestDc).key),
            );
          }
        }),
        downstream(() => 1, new Set()),
        toArray(),
      ),
    );

    const order = out.map((dc) => dc.key);
    const manifests = out.filter((dc): dc is ManifestDc => dc instanceof ManifestDc);
    expect(manifests.map((dc) => dc.kind).sort()).toEqual([
      'list',
      'list',
      'manifest',
      'manifest',
      'manifest',
    ]);
    for (const leaf of leaves)
      expect(order.indexOf(leaf.digest)).toBeLessThan(order.indexOf(inner.digest));
    expect(order.indexOf(inner.digest)).toBeLessThan(order.indexOf(outer.digest));
    expect(order.indexOf(outer.digest)).toBeLessThan(order.indexOf('nested@' + outer.digest));
    expect(entriesOf.get(outer.digest)).toEqual([inner.digest, image('beside').digest]);
    expect(ctx.failed).toEqual([]);
  });

  it('refuses indexes nested deeper than it follows, failing only that tag', async () => {
    const upstream = new FakeUpstream();
    let current = image('bottom');
    serve(upstream, current);
    for (let depth = 0; depth < 10; depth++) {
      current = indexManifest([current]);
      serve(upstream, current);
    }
    upstream.heads.set('deep', current.digest);
    const ctx = fakeContext({ upstream, store: {} as BlobStore });

    const out = await lastValueFrom(
      from(['deep']).pipe(
        tagsToContent(ctx),
        downstream(() => 1, new Set()),
        toArray(),
      ),
    );

    expect(out.filter((dc) => dc instanceof TagDc)).toEqual([]);
    expect(ctx.failed).toEqual([
      expect.objectContaining({
        reference: 'deep',
        code: 'MANIFEST_INVALID',
        message: 'indexes nested deeper than 8',
      }),
    ]);
  });

  it('fails a list whose child upstream lacks as MANIFEST_MISSING, naming both', async () => {
    const present = image('present');
    const missing = image('missing');
    const list = indexManifest([present, missing]);
    const upstream = new FakeUpstream();
    upstream.heads.set('multi', list.digest);
    serve(upstream, list, present);
    const ctx = fakeContext({ upstream, store: {} as BlobStore });

    const out = await lastValueFrom(
      from(['multi']).pipe(
        tagsToContent(ctx),
        downstream(() => 1, new Set()),
        toArray(),
      ),
    );

    expect(out.map((dc) => dc.key)).toContain(present.digest);
    expect(out.map((dc) => dc.key)).not.toContain(list.digest);
    expect(ctx.failed).toEqual([
      {
        reference: 'multi',
        digest: missing.digest,
        manifest: list.digest,
        code: 'MANIFEST_MISSING',
        message:
          `manifest ${missing.digest} listed by ${list.digest} is missing upstream ` +
          `(no manifest ${missing.digest})`,
      },
    ]);
  });

  it('fails a list whose child is an empty index as INDEX_EMPTY, naming both', async () => {
    const empty = indexManifest([]);
    const list = indexManifest([image('beside'), empty]);
    const upstream = new FakeUpstream();
    upstream.heads.set('nested', list.digest);
    serve(upstream, list, empty, image('beside'));
    const ctx = fakeContext({ upstream, store: {} as BlobStore });

    await lastValueFrom(
      from(['nested']).pipe(
        tagsToContent(ctx),
        downstream(() => 1, new Set()),
        toArray(),
      ),
    );

    expect(ctx.failed).toEqual([
      expect.objectContaining({
        reference: 'nested',
        digest: empty.digest,
        manifest: list.digest,
        code: 'INDEX_EMPTY',
      }),
    ]);
  });

  it('puts a non-distributable layer (with urls) as a blob of its manifest', async () => {
    const config = blobDescriptor('config', 'application/vnd.example.config+json').descriptor;
    const foreign = {
      ...blobDescriptor('foreign layer').descriptor,
      mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
      urls: ['https://vendor.example/layer'],
    };
    const parsed = imageManifest(config, [foreign]);
    const upstream = new FakeUpstream();
    upstream.heads.set('v1', parsed.digest);
    serve(upstream, parsed);
    const ctx = fakeContext({ upstream, store: {} as BlobStore });

    // The layers as the manifest was put: a saved manifest lets go of its parts.
    const layersPut: Array<[string, string[] | undefined]> = [];
    await lastValueFrom(
      from(['v1']).pipe(
        tagsToContent(ctx),
        tap((dc) => {
          if (!(dc instanceof ManifestDc)) return;
          for (const b of dc.extra.layerBlobs) layersPut.push([b.key, b.descriptor.urls]);
        }),
        downstream(() => 1, new Set()),
        toArray(),
      ),
    );

    expect(layersPut).toEqual([[foreign.digest, ['https://vendor.example/layer']]]);
    expect(ctx.failed).toEqual([]);
  });

  it('regression: a child shared by two lists is saved when a sibling in one fails', async () => {
    // List `a` holds the shared child and a child whose layer fails; list `b` holds the shared
    // child alone. The failure comes while the shared child still waits for its blobs.
    const shared = image('shared');
    const broken = image('broken');
    const listA = indexManifest([shared, broken]);
    const listB = indexManifest([shared]);
    const upstream = new FakeUpstream();
    upstream.heads.set('a', listA.digest);
    upstream.heads.set('b', listB.digest);
    serve(upstream, shared, broken, listA, listB);
    const ctx = fakeContext({
      upstream,
      store: {} as BlobStore,
      options: { tagConcurrency: 1 },
    });
    const brokenLayer = broken.layers[0]!.digest;
    const sharedBlobs = new Set<string>([shared.config!.digest, shared.layers[0]!.digest]);
    const delayOf = (dc: AnyDc) => (sharedBlobs.has(dc.key) ? 30 : 1);

    const out = await lastValueFrom(
      from(['a', 'b']).pipe(
        tagsToContent(ctx),
        downstream(delayOf, new Set<string>([brokenLayer])),
        toArray(),
      ),
    );

    const tags = out.filter((dc): dc is TagDc => dc instanceof TagDc);
    expect(tags.map((dc) => [dc.name, dc.manifestDigest])).toEqual([['b', listB.digest]]);
    expect(out.map((dc) => dc.key)).toContain(shared.digest);
    expect(ctx.failed).toEqual([
      {
        reference: 'a',
        digest: brokenLayer,
        manifest: broken.digest,
        code: 'REGISTRY_ERROR',
        message: 'blob GET: HTTP 500',
      },
    ]);
  }, 3000);

  it('into a catalog that held no manifest, looks up only children this run fetched', async () => {
    const [x, y, z] = [image('x'), image('y'), image('z')];
    const first = indexManifest([x, y]);
    const second = indexManifest([y, z]);
    const upstream = new FakeUpstream();
    serve(upstream, first, second, x, y, z);
    upstream.manifests.set('first', { bytes: first.bytes, mediaType: first.mediaType });
    upstream.manifests.set('second', { bytes: second.bytes, mediaType: second.mediaType });
    const catalog = new FakeCatalog();
    // One tag at a time: the second list is planned after the first one's children were fetched.
    const ctx = fakeContext({ upstream, catalog, options: { tagConcurrency: 1 } });
    ctx.catalogHadManifests = false;

    await lastValueFrom(
      from(['first', 'second']).pipe(
        tagsToContent(ctx),
        downstream(() => 1, new Set()),
        toArray(),
      ),
    );

    expect(catalog.knownQueries).toEqual([[], [y.digest]]);
    expect(upstream.calls.filter((call) => call.startsWith('HEAD'))).toEqual([]);
    expect(ctx.failed).toEqual([]);
  });
});
