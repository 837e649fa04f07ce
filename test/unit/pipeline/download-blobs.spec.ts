import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { from, lastValueFrom, of, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Digest } from '../../../src/content/digest';
import { MediaType } from '../../../src/content/media-types';
import { SyncError } from '../../../src/errors';
import { BlobDc, ManifestDc, TagDc } from '../../../src/pipeline/declarative-content';
import { downloadBlobs } from '../../../src/pipeline/download-blobs';
import { BlobStore } from '../../../src/storage/blob-store';
import {
  blobDescriptor,
  fakeContext,
  FakeUpstream,
  imageManifest,
  knownManifest,
  until,
} from './fakes';

/** A moment in which a third download would start if nothing held it back. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('downloadBlobs', () => {
  let root: string;
  let store: BlobStore;
  let upstream: FakeUpstream;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cs-download-'));
    store = new BlobStore(root);
    upstream = new FakeUpstream();
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('skips a blob the store already has: no GET, the stored size is recorded', async () => {
    const { bytes, descriptor } = blobDescriptor('a layer stored by an earlier run');
    await store.write(descriptor.digest, Readable.from([bytes]));
    const ctx = fakeContext({ upstream, store });
    const dc = new BlobDc(descriptor, 'layer');

    const out = await lastValueFrom(of(dc).pipe(downloadBlobs(ctx), toArray()));

    expect(out).toEqual([dc]);
    expect(upstream.calls).toEqual([]);
    expect(dc.storedSize).toBe(bytes.length);
    expect(ctx.counts.blobs).toBe(0);
    expect(ctx.counts.bytes).toBe(0);
  });

  it('streams a missing blob into the store and counts it', async () => {
    const { bytes, descriptor } = blobDescriptor('a fresh layer');
    upstream.blobs.set(descriptor.digest, bytes);
    const ctx = fakeContext({ upstream, store });
    const dc = new BlobDc(descriptor, 'layer');

    const out = await lastValueFrom(of(dc).pipe(downloadBlobs(ctx), toArray()));

    expect(out).toEqual([dc]);
    expect(upstream.calls).toEqual([`BLOB ${descriptor.digest}`]);
    expect(await store.read(descriptor.digest)).toEqual(bytes);
    expect(dc.storedSize).toBe(bytes.length);
    expect(ctx.counts).toMatchObject({ blobs: 1, bytes: bytes.length });
    expect(dc.isSettled).toBe(false);
  });

  it('fails and drops a blob whose fetch throws; the blobs after it go on', async () => {
    const bad = blobDescriptor('unreachable layer');
    const good = blobDescriptor('reachable layer');
    upstream.blobs.set(bad.descriptor.digest, new Error('connection reset'));
    upstream.blobs.set(good.descriptor.digest, good.bytes);
    const ctx = fakeContext({ upstream, store });
    const badDc = new BlobDc(bad.descriptor, 'layer');
    const goodDc = new BlobDc(good.descriptor, 'config');

    const out = await lastValueFrom(from([badDc, goodDc]).pipe(downloadBlobs(ctx), toArray()));

    expect(out).toEqual([goodDc]);
    await expect(lastValueFrom(badDc.resolution$)).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
      message: 'connection reset',
      data: { digest: bad.descriptor.digest },
    });
    expect(await store.has(bad.descriptor.digest)).toBe(false);
    expect(await store.read(good.descriptor.digest)).toEqual(good.bytes);
    expect(goodDc.isSettled).toBe(false);
  });

  it('fails a blob whose bytes do not hash to its digest, leaving nothing stored', async () => {
    const { descriptor } = blobDescriptor('what the manifest promised');
    upstream.blobs.set(descriptor.digest, Buffer.from('what the registry served'));
    const ctx = fakeContext({ upstream, store });
    const dc = new BlobDc(descriptor, 'layer');

    const out = await lastValueFrom(of(dc).pipe(downloadBlobs(ctx), toArray()));

    expect(out).toEqual([]);
    await expect(lastValueFrom(dc.resolution$)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      data: { digest: descriptor.digest },
    });
    expect(await store.has(descriptor.digest)).toBe(false);
    expect(ctx.counts.blobs).toBe(0);
  });

  it('fails a blob upstream does not have as BLOB_MISSING, keeping what the GET said', async () => {
    const { descriptor } = blobDescriptor('deleted upstream');
    upstream.blobs.set(
      descriptor.digest,
      new SyncError('NOT_FOUND', 'blob GET: HTTP 404: BLOB_UNKNOWN', { status: 404 }),
    );
    const ctx = fakeContext({ upstream, store });
    const dc = new BlobDc(descriptor, 'config');

    const out = await lastValueFrom(of(dc).pipe(downloadBlobs(ctx), toArray()));

    expect(out).toEqual([]);
    await expect(lastValueFrom(dc.resolution$)).rejects.toMatchObject({
      code: 'BLOB_MISSING',
      message: `blob ${descriptor.digest} is missing upstream (blob GET: HTTP 404: BLOB_UNKNOWN)`,
      data: { digest: descriptor.digest, status: 404 },
    });
  });

  it('records a non-distributable layer by its urls, never fetching it', async () => {
    const { descriptor } = blobDescriptor('lives on a vendor server');
    const urls = ['https://vendor.example/layer', 'https://mirror.example/layer'];
    const ctx = fakeContext({ upstream, store, options: { policy: 'immediate' } });
    const dc = new BlobDc({ ...descriptor, urls: [...urls, urls[0]!] }, 'layer');

    const out = await lastValueFrom(of(dc).pipe(downloadBlobs(ctx), toArray()));

    expect(out).toEqual([dc]);
    expect(dc.remoteUrls).toEqual(urls);
    expect(dc.storedSize).toBeUndefined();
    expect(upstream.calls).toEqual([]);
    expect(ctx.counts.blobs).toBe(0);
  });

  it('fails a non-distributable layer none of whose urls fits the catalog', async () => {
    const { descriptor } = blobDescriptor('named by a very long URL');
    const ctx = fakeContext({ upstream, store });
    const dc = new BlobDc(
      { ...descriptor, urls: [`https://x.example/${'a'.repeat(2048)}`] },
      'layer',
    );

    const out = await lastValueFrom(of(dc).pipe(downloadBlobs(ctx), toArray()));

    expect(out).toEqual([]);
    await expect(lastValueFrom(dc.resolution$)).rejects.toMatchObject({
      code: 'BLOB_INVALID',
      data: { digest: descriptor.digest },
    });
    expect(upstream.calls).toEqual([]);
  });

  it('passes manifests and tags through in the frame they arrive, untouched', () => {
    const config = blobDescriptor('{}', MediaType.ociConfig).descriptor;
    const manifest = new ManifestDc(imageManifest(config, []), { layerBlobs: [], entries: [] });
    const tag = new TagDc('latest', knownManifest(`sha256:${'a'.repeat(64)}`));
    const ctx = fakeContext({ upstream, store });
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

    scheduler.run(({ cold, expectObservable }) => {
      const items$ = cold('-m--t|', { m: manifest, t: tag });

      expectObservable(items$.pipe(downloadBlobs(ctx))).toBe('-m--t|', { m: manifest, t: tag });
    });

    expect(upstream.calls).toEqual([]);
  });

  it('runs at most downloadConcurrency fetches at once', async () => {
    const blobs = ['one', 'two', 'three'].map((text) => blobDescriptor(text));
    const gates = new Map<string, () => void>();
    const gated = new (class extends FakeUpstream {
      override async fetchBlob(digest: Digest): Promise<Readable> {
        await new Promise<void>((release) => gates.set(digest, release));
        return super.fetchBlob(digest);
      }
    })();
    for (const blob of blobs) gated.blobs.set(blob.descriptor.digest, blob.bytes);
    const ctx = fakeContext({ upstream: gated, store, options: { downloadConcurrency: 2 } });
    const dcs = blobs.map((blob) => new BlobDc(blob.descriptor, 'layer'));

    const done = lastValueFrom(from(dcs).pipe(downloadBlobs(ctx), toArray()));
    await until(() => gates.size === 2);
    await settle();
    const startedFirst = [...gates.keys()].sort();
    gates.get(blobs[0]!.descriptor.digest)!();
    await until(() => gates.size === 3);
    gates.get(blobs[1]!.descriptor.digest)!();
    gates.get(blobs[2]!.descriptor.digest)!();
    const out = await done;

    expect(startedFirst).toEqual([blobs[0]!.descriptor.digest, blobs[1]!.descriptor.digest].sort());
    expect(new Set(out)).toEqual(new Set(dcs));
  });
});
