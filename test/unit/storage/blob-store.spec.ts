import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { digestOf, sha256Digest } from '../../../src/content/digest';
import { BlobStore } from '../../../src/storage/blob-store';

/** About 1 MiB of varied bytes, sent in 64 KiB chunks like a network stream. */
const bytes = Buffer.concat(
  Array.from({ length: 31_250 }, (_, i) => createHash('sha256').update(String(i)).digest()),
);
const digest = sha256Digest(bytes);

function chunked(data: Buffer, chunkSize = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += chunkSize)
    chunks.push(data.subarray(at, at + chunkSize));
  return Readable.from(chunks);
}

/** Sends part of the data, then fails the way a dropped connection does. */
function dropping(data: Buffer, after: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (sent) {
        this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
        return;
      }
      sent = true;
      this.push(data.subarray(0, after));
    },
  });
}

let root: string;
let store: BlobStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'blob-store-'));
  store = new BlobStore(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const leftovers = async () => readdir(join(root, 'tmp')).catch(() => []);

describe('BlobStore', () => {
  it('stores a blob under blobs/sha256/<hex> once its digest and size match', async () => {
    const written = await store.write(digest, chunked(bytes), bytes.length);

    expect(written).toEqual({ size: bytes.length });
    expect(store.pathOf(digest)).toBe(join(root, 'blobs', 'sha256', digest.slice(7)));
    expect(await readFile(store.pathOf(digest))).toEqual(bytes);
    expect(await store.has(digest)).toBe(true);
    expect(await store.sizeOf(digest)).toBe(bytes.length);
    expect(await leftovers()).toEqual([]);
  });

  it('hands back the bytes it stored when they fit in keepUpTo, and only then', async () => {
    const kept = await store.write(digest, chunked(bytes), bytes.length, {
      keepUpTo: bytes.length,
    });
    await rm(store.pathOf(digest));
    const tooBig = await store.write(digest, chunked(bytes), bytes.length, {
      keepUpTo: bytes.length - 1,
    });

    expect(kept.size).toBe(bytes.length);
    expect(kept.bytes).toEqual(bytes);
    expect(tooBig).toEqual({ size: bytes.length });
    expect(await readFile(store.pathOf(digest))).toEqual(bytes);
  });

  it('stores without an expected size too', async () => {
    await expect(store.write(digest, chunked(bytes))).resolves.toEqual({ size: bytes.length });
  });

  it('refuses bytes of another digest with DIGEST_MISMATCH and leaves nothing', async () => {
    const other = Buffer.from(bytes);
    other.writeUInt8(other.readUInt8(500_000) ^ 0xff, 500_000);

    const write = store.write(digest, chunked(other), other.length);

    await expect(write).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      data: { digest, expected: digest, actual: sha256Digest(other) },
    });
    expect(await store.has(digest)).toBe(false);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a stream that ends early (the digest cannot match)', async () => {
    const write = store.write(digest, chunked(bytes.subarray(0, 300_000)), bytes.length);

    await expect(write).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(await store.has(digest)).toBe(false);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a stream that fails midway with BLOB_INCOMPLETE', async () => {
    const write = store.write(digest, dropping(bytes, 300_000), bytes.length);

    await expect(write).rejects.toMatchObject({ code: 'BLOB_INCOMPLETE', data: { digest } });
    expect(await store.has(digest)).toBe(false);
    expect(await leftovers()).toEqual([]);
  });

  it('stops a stream that runs past the expected size', async () => {
    const source = chunked(Buffer.concat([bytes, bytes]));

    await expect(store.write(digest, source, bytes.length)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: /more than the expected/,
    });
    expect(source.destroyed).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses right bytes with a wrong expected size', async () => {
    await expect(store.write(digest, chunked(bytes), bytes.length + 1)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: /expected 1000001/,
    });
  });

  it('takes concurrent writes of one digest, leaving one whole file', async () => {
    const writes = Array.from({ length: 8 }, () => store.write(digest, chunked(bytes, 4096)));

    const results = await Promise.all(writes);

    expect(results.every((r) => r.size === bytes.length)).toBe(true);
    expect(sha256Digest(await readFile(store.pathOf(digest)))).toBe(digest);
    expect(await leftovers()).toEqual([]);
  });

  it('keeps the good copy when a concurrent write of the same digest fails', async () => {
    const bad = Buffer.from(bytes);
    bad.writeUInt8(bad.readUInt8(0) ^ 0xff, 0);

    const [good, broken] = await Promise.allSettled([
      store.write(digest, chunked(bytes, 4096)),
      store.write(digest, chunked(bad, 4096)),
    ]);

    expect(good.status).toBe('fulfilled');
    expect(broken.status).toBe('rejected');
    expect(await readFile(store.pathOf(digest))).toEqual(bytes);
  });

  it('verifies sha512 digests with sha512', async () => {
    const sha512 = digestOf(bytes, 'sha512');

    await store.write(sha512, chunked(bytes));

    expect(store.pathOf(sha512)).toBe(join(root, 'blobs', 'sha512', sha512.slice(7)));
  });

  it.each(['sha256:../../../etc/passwd', `sha256:${'A'.repeat(64)}`, 'md5:abc', '../x'])(
    'refuses to name a path for %s',
    (bad) => {
      expect(() => store.pathOf(bad)).toThrow(expect.objectContaining({ code: 'DIGEST_INVALID' }));
    },
  );

  it('reads a small blob back, checking it against its digest', async () => {
    const config = Buffer.from('{"architecture":"amd64"}');
    await store.write(sha256Digest(config), Readable.from([config]));

    await expect(store.read(sha256Digest(config))).resolves.toEqual(config);
  });

  it('refuses to read a stored file whose bytes changed', async () => {
    const config = Buffer.from('{"os":"linux"}');
    const configDigest = sha256Digest(config);
    await store.write(configDigest, Readable.from([config]));
    await writeFile(store.pathOf(configDigest), '{"os":"evil"}');

    await expect(store.read(configDigest)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('reports a blob that is not stored as NOT_FOUND', async () => {
    await expect(store.read(digest)).rejects.toMatchObject({ code: 'NOT_FOUND', data: { digest } });
    expect(await store.sizeOf(digest)).toBeUndefined();
  });
});

describe('BlobStore, a blob its descriptor says is at most 64 KiB', () => {
  const small = bytes.subarray(0, 64 * 1024);
  const smallDigest = sha256Digest(small);
  /** The same size, one byte changed. */
  const wrong = Buffer.from(small);
  wrong.writeUInt8(wrong.readUInt8(40_000) ^ 0xff, 40_000);

  it('is stored whole from several chunks and its bytes kept when asked', async () => {
    const written = await store.write(smallDigest, chunked(small, 16 * 1024), small.length, {
      keepUpTo: small.length,
    });

    expect(written).toEqual({ size: small.length, bytes: small });
    expect(await readFile(store.pathOf(smallDigest))).toEqual(small);
    expect(await store.sizeOf(smallDigest)).toBe(65_536);
    expect(await leftovers()).toEqual([]);
  });

  it('is checked before anything is written: a wrong one leaves the store untouched', async () => {
    const write = store.write(smallDigest, chunked(wrong, 16 * 1024), small.length);

    await expect(write).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `blob ${smallDigest}: bytes hash to ${sha256Digest(wrong)}`,
    });
    expect(await readdir(root)).toEqual([]);
  });

  it('one byte over 64 KiB is streamed through a temp file instead', async () => {
    const over = Buffer.concat([wrong, Buffer.from([0])]);
    const write = store.write(sha256Digest(small), chunked(over, 16 * 1024), over.length);

    await expect(write).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect((await readdir(root)).sort()).toEqual(['blobs', 'tmp']);
    expect(await leftovers()).toEqual([]);
  });

  it('stops a source that runs past its size, and fails one that breaks off', async () => {
    const long = chunked(Buffer.concat([small, small]), 16 * 1024);
    await expect(store.write(smallDigest, long, small.length)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `blob ${smallDigest}: more than the expected 65536 bytes`,
    });
    expect(long.destroyed).toBe(true);

    const broken = store.write(smallDigest, dropping(small, 30_000), small.length);
    await expect(broken).rejects.toMatchObject({
      code: 'BLOB_INCOMPLETE',
      message: `blob ${smallDigest}: stream failed: aborted`,
    });
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses right bytes with a wrong size', async () => {
    const write = store.write(smallDigest, chunked(small), small.length + 1);

    await expect(write).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `blob ${smallDigest}: 65536 bytes, expected 65537`,
    });
  });
});

describe('BlobStore.removeStaleTemp', () => {
  it('removes temp files older than the bound and keeps younger ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cs-store-'));
    const store = new BlobStore(root);
    await mkdir(join(root, 'tmp'), { recursive: true });
    await writeFile(join(root, 'tmp', 'sha256-old'), 'partial');
    await writeFile(join(root, 'tmp', 'sha256-new'), 'partial');
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(join(root, 'tmp', 'sha256-old'), hourAgo, hourAgo);

    const removed = await store.removeStaleTemp(60 * 60 * 1000);

    expect(removed).toBe(1);
    expect(await readdir(join(root, 'tmp'))).toEqual(['sha256-new']);
    await rm(root, { recursive: true, force: true });
  });
});
