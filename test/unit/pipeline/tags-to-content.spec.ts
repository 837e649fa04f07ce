import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { sha256Digest } from '../../../src/content/digest';
import { MediaType } from '../../../src/content/media-types';
import { Blob } from '../../../src/db/entities/blob';
import { Manifest } from '../../../src/db/entities/manifest';
import { Tag } from '../../../src/db/entities/tag';
import { SyncError } from '../../../src/errors';
import { type AnyDc, BlobDc, ManifestDc, TagDc } from '../../../src/pipeline/declarative-content';
import { tagsToContent } from '../../../src/pipeline/tags-to-content';
import type { FetchedManifest } from '../../../src/registry/upstream';
import type { BlobStore } from '../../../src/storage/blob-store';
import {
  blobDescriptor,
  FakeCatalog,
  fakeContext,
  FakeUpstream,
  imageManifest,
  indexManifest,
  knownManifest,
  until,
} from './fakes';

/** A moment in which the stage would emit more if it did not wait. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** An image whose config the fake store serves, as the pipeline reads it once downloaded. */
function newImage(
  configBytes = Buffer.from(
    JSON.stringify({ architecture: 'arm64', os: 'linux', config: { Labels: { team: 'sync' } } }),
  ),
) {
  const config = {
    mediaType: MediaType.ociConfig,
    digest: sha256Digest(configBytes),
    size: configBytes.length,
  };
  const layer = blobDescriptor('the only layer').descriptor;
  const parsed = imageManifest(config, [layer]);
  const store = {
    read: async (digest: string) => {
      if (digest !== config.digest) throw new Error(`read of unexpected blob ${digest}`);
      return configBytes;
    },
  } as unknown as BlobStore;
  return { parsed, config, layer, store };
}

/** Resolves what the stage emits with made-up rows, as the save stage would a moment later. */
function saveLater(dc: AnyDc): void {
  setTimeout(() => {
    if (dc instanceof BlobDc) dc.resolve(Object.assign(new Blob(), { id: `b-${dc.key}` }));
    else if (dc instanceof ManifestDc)
      dc.resolve(Object.assign(new Manifest(), { id: `m-${dc.key}` }));
    else if (dc instanceof TagDc) dc.resolve(Object.assign(new Tag(), { id: `t-${dc.name}` }));
  }, 1);
}

describe('tagsToContent', () => {
  it('emits only a TagDc, with no GET, for a tag whose HEAD digest the catalog knows', async () => {
    const digest = sha256Digest('a manifest synced last week');
    const upstream = new FakeUpstream();
    upstream.heads.set('latest', digest);
    const catalog = new FakeCatalog();
    const row = knownManifest(digest);
    catalog.known.set(digest, row);
    const ctx = fakeContext({ upstream, catalog });

    const out = await lastValueFrom(from(['latest']).pipe(tagsToContent(ctx), toArray()));

    expect(out).toHaveLength(1);
    expect(out[0]).toBeInstanceOf(TagDc);
    expect(out[0]).toMatchObject({ name: 'latest', manifest: row });
    expect(upstream.calls).toEqual(['HEAD latest']);
    expect(catalog.knownQueries).toEqual([[digest]]);
    expect(ctx.failed).toEqual([]);
  });

  it('skips a listed tag whose manifest is gone upstream, without failing it', async () => {
    const digest = sha256Digest('still there');
    const upstream = new FakeUpstream();
    upstream.heads.set('kept', digest);
    const catalog = new FakeCatalog();
    catalog.known.set(digest, knownManifest(digest));
    const ctx = fakeContext({ upstream, catalog, options: { tagConcurrency: 1 } });

    const out = await lastValueFrom(from(['gone', 'kept']).pipe(tagsToContent(ctx), toArray()));

    expect(out.map((dc) => (dc as TagDc).name)).toEqual(['kept']);
    expect(upstream.calls).toEqual(['HEAD gone', 'HEAD kept']);
    expect(ctx.failed).toEqual([]);
  });

  it('records a tag whose HEAD fails in ctx.failed and goes on with the others', async () => {
    const digest = sha256Digest('healthy');
    const upstream = new FakeUpstream();
    upstream.heads.set(
      'limited',
      new SyncError('RATE_LIMITED', 'manifest HEAD: HTTP 429', { reference: 'limited' }),
    );
    upstream.heads.set('healthy', digest);
    const catalog = new FakeCatalog();
    catalog.known.set(digest, knownManifest(digest));
    const ctx = fakeContext({ upstream, catalog });

    const out = await lastValueFrom(
      from(['limited', 'healthy']).pipe(tagsToContent(ctx), toArray()),
    );

    expect(out.map((dc) => (dc as TagDc).name)).toEqual(['healthy']);
    expect(ctx.failed).toEqual([
      {
        reference: 'limited',
        digest: undefined,
        code: 'RATE_LIMITED',
        message: 'manifest HEAD: HTTP 429',
      },
    ]);
  });

  it('records a tag whose manifest does not parse with the code and digest', async () => {
    const bytes = Buffer.from('not json at all');
    const digest = sha256Digest(bytes);
    const upstream = new FakeUpstream();
    upstream.heads.set('broken', digest);
    upstream.manifests.set(digest, { bytes, mediaType: MediaType.ociManifest });
    const ctx = fakeContext({ upstream });

    const out = await lastValueFrom(from(['broken']).pipe(tagsToContent(ctx), toArray()));

    expect(out).toEqual([]);
    expect(ctx.failed).toEqual([
      {
        reference: 'broken',
        digest,
        code: 'MANIFEST_INVALID',
        message: `manifest ${digest}: not JSON`,
      },
    ]);
  });

  it('emits a new manifest after its blobs resolved and the tag after the manifest', async () => {
    const { parsed, config, layer, store } = newImage();
    const upstream = new FakeUpstream();
    upstream.heads.set('v1', parsed.digest);
    upstream.manifests.set(parsed.digest, { bytes: parsed.bytes, mediaType: parsed.mediaType });
    const ctx = fakeContext({ upstream, store });
    const waits: string[][] = [];
    ctx.waits$.subscribe((items) => waits.push(items.map((dc) => `${dc.kind} ${dc.key}`)));
    const seen: AnyDc[] = [];
    let completed = false;
    from(['v1'])
      .pipe(tagsToContent(ctx))
      .subscribe({ next: (dc) => seen.push(dc), complete: () => (completed = true) });

    await until(() => seen.length === 2);
    await settle();
    const blobs = [...seen];
    for (const dc of blobs) (dc as BlobDc).resolve(Object.assign(new Blob(), { id: dc.key }));
    await until(() => seen.length === 3);
    await settle();
    const manifest = seen[2] as ManifestDc;
    const beforeManifestSaved = seen.length;
    const configRead = manifest.config;
    manifest.resolve(Object.assign(new Manifest(), { id: 'manifest-row' }));
    await until(() => completed);

    expect(blobs.map((dc) => `${dc.kind} ${dc.key}`)).toEqual([
      `blob ${config.digest}`,
      `blob ${layer.digest}`,
    ]);
    expect(manifest).toBeInstanceOf(ManifestDc);
    expect(manifest.key).toBe(parsed.digest);
    expect(configRead).toEqual({
      labels: { team: 'sync' },
      architecture: 'arm64',
      os: 'linux',
    });
    expect(beforeManifestSaved).toBe(3);
    expect(seen).toHaveLength(4);
    expect(seen[3]).toMatchObject({ name: 'v1', manifest });
    expect(completed).toBe(true);
    expect(waits).toEqual([
      [`blob ${config.digest}`, `blob ${layer.digest}`],
      [`manifest ${parsed.digest}`],
    ]);
    expect(upstream.calls).toEqual(['HEAD v1', `GET ${parsed.digest}`]);
  });

  it('does not fetch again a manifest this run already planned for another tag', async () => {
    const { parsed, store } = newImage();
    const upstream = new FakeUpstream();
    upstream.heads.set('v1', parsed.digest);
    upstream.heads.set('stable', parsed.digest);
    upstream.manifests.set(parsed.digest, { bytes: parsed.bytes, mediaType: parsed.mediaType });
    const ctx = fakeContext({ upstream, store, options: { tagConcurrency: 1 } });

    const out = await lastValueFrom(
      from(['v1', 'stable']).pipe(tagsToContent(ctx), tap(saveLater), toArray()),
    );

    const tags = out.filter((dc): dc is TagDc => dc instanceof TagDc);
    expect(tags.map((dc) => [dc.name, dc.manifestDigest])).toEqual([
      ['v1', parsed.digest],
      ['stable', parsed.digest],
    ]);
    expect(out.filter((dc) => dc instanceof ManifestDc)).toHaveLength(1);
    expect(upstream.calls).toEqual(['HEAD v1', `GET ${parsed.digest}`, 'HEAD stable']);
  });
});

describe('tagsToContent with bad documents', () => {
  it('fails a tag on an index that lists no manifests as INDEX_EMPTY', async () => {
    const empty = indexManifest([]);
    const upstream = new FakeUpstream();
    upstream.heads.set('multi', empty.digest);
    upstream.manifests.set(empty.digest, { bytes: empty.bytes, mediaType: empty.mediaType });
    const ctx = fakeContext({ upstream });

    const out = await lastValueFrom(from(['multi']).pipe(tagsToContent(ctx), toArray()));

    expect(out).toEqual([]);
    expect(ctx.failed).toEqual([
      {
        reference: 'multi',
        digest: empty.digest,
        code: 'INDEX_EMPTY',
        message: `index ${empty.digest} lists no manifests`,
      },
    ]);
  });

  it('syncs an empty index at a referrers fallback tag: there it means no referrers', async () => {
    const empty = indexManifest([]);
    const tag = `sha256-${'b'.repeat(64)}`;
    const upstream = new FakeUpstream();
    upstream.heads.set(tag, empty.digest);
    upstream.manifests.set(empty.digest, { bytes: empty.bytes, mediaType: empty.mediaType });
    const ctx = fakeContext({ upstream });

    const out = await lastValueFrom(
      from([tag]).pipe(tagsToContent(ctx), tap(saveLater), toArray()),
    );

    expect(out.map((dc) => `${dc.kind} ${dc.key}`)).toEqual([
      `list ${empty.digest}`,
      `tag ${tag}@${empty.digest}`,
    ]);
    expect(ctx.failed).toEqual([]);
  });

  it.each([
    ['not JSON', Buffer.from('{"architecture": "amd64",')],
    ['not a JSON object', Buffer.from('["amd64", "linux"]')],
  ])('fails a tag whose image config is %s as IMAGE_CONFIG_INVALID', async (problem, bytes) => {
    const { parsed, config, store } = newImage(bytes);
    const upstream = new FakeUpstream();
    upstream.heads.set('v1', parsed.digest);
    upstream.manifests.set(parsed.digest, { bytes: parsed.bytes, mediaType: parsed.mediaType });
    const ctx = fakeContext({ upstream, store });

    const out = await lastValueFrom(
      from(['v1']).pipe(tagsToContent(ctx), tap(saveLater), toArray()),
    );

    expect(out.map((dc) => dc.kind)).toEqual(['blob', 'blob']);
    expect(ctx.failed).toEqual([
      {
        reference: 'v1',
        digest: config.digest,
        manifest: parsed.digest,
        code: 'IMAGE_CONFIG_INVALID',
        message: `image config ${config.digest} of manifest ${parsed.digest} is ${problem}`,
      },
    ]);
  });

  it('names the digest the HEAD gave for bytes that hash to another: DIGEST_MISMATCH', async () => {
    const promised = sha256Digest('what the HEAD said');
    const upstream = new (class extends FakeUpstream {
      override getManifest(reference: string): Promise<FetchedManifest> {
        this.calls.push(`GET ${reference}`);
        const where = { reference };
        return Promise.reject(new SyncError('DIGEST_MISMATCH', 'bytes hash to another', where));
      }
    })();
    upstream.heads.set('v1', promised);
    const ctx = fakeContext({ upstream });

    await lastValueFrom(from(['v1']).pipe(tagsToContent(ctx), toArray()));

    expect(upstream.calls).toEqual(['HEAD v1', `GET ${promised}`]);
    expect(ctx.failed).toEqual([
      {
        reference: 'v1',
        digest: promised,
        code: 'DIGEST_MISMATCH',
        message: 'bytes hash to another',
      },
    ]);
  });
});
