import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { digestOf, parseDigest } from '../content/digest';
import { crashPoint } from '../crash-points';
import { SyncError, type ErrorData } from '../errors';

/** Configs and other blobs read whole; anything bigger is streamed, never buffered. */
const READ_CAP = 16 * 1024 * 1024;

/**
 * A blob whose descriptor says it is at most this big is read whole before it is written (see
 * `#writeSmall`); a bigger one is streamed through a temp file.
 */
const SMALL_BLOB_BYTES = 64 * 1024;

/**
 * Content-addressed files under `<root>/blobs/<algorithm>/<hex>`, laid out like an OCI image
 * layout's blobs. A blob becomes visible only by an atomic rename after its bytes were hashed
 * and matched, so a reader never sees a partial or wrong file. Concurrent writes of one digest
 * each use their own temp file; the renames replace identical content, so the last one wins
 * harmlessly.
 */
export class BlobStore {
  readonly #tmp: string;
  /** Directories made by this instance: two mkdir calls per blob add up over a big sync. */
  readonly #made = new Set<string>();

  constructor(readonly root: string) {
    // Temp files live under the root so the final rename stays on one filesystem (atomic).
    this.#tmp = join(root, 'tmp');
  }

  /** The file of a digest; the digest grammar is checked first, so no path escapes the root. */
  pathOf(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.root, 'blobs', algorithm, hex);
  }

  async has(digest: string): Promise<boolean> {
    return (await this.sizeOf(digest)) !== undefined;
  }

  /**
   * The stored size, or `undefined` when the blob is not stored. The stat is made in place, not
   * handed to the thread pool: it is asked once per blob of a sync and answers from the kernel's
   * cache in microseconds, less than a hand-over costs.
   */
  async sizeOf(digest: string): Promise<number | undefined> {
    const path = this.pathOf(digest);
    try {
      const info = statSync(path, { throwIfNoEntry: false });
      return info?.isFile() ? info.size : undefined;
    } catch (err) {
      throw storageError(err, 'cannot stat blob', { digest, path });
    }
  }

  /**
   * Streams a blob into the store, hashing as it goes. DIGEST_MISMATCH when the bytes (or their
   * count, given `expectedSize`) are not what the digest promises; BLOB_INCOMPLETE when the
   * source stream fails. Either way nothing is left behind.
   */
  async write(
    digest: string,
    source: Readable,
    expectedSize?: number,
    options: { keepUpTo?: number } = {},
  ): Promise<{ size: number; bytes?: Buffer }> {
    const target = this.pathOf(digest);
    const { algorithm } = parseDigest(digest);
    const where: ErrorData = { digest, path: target };
    if (expectedSize !== undefined && expectedSize <= SMALL_BLOB_BYTES) {
      return await this.#writeSmall(target, source, { where, algorithm, expectedSize, ...options });
    }
    await this.#mkdir(this.#tmp);
    await this.#mkdir(dirname(target));

    const temp = join(this.#tmp, `${algorithm}-${randomUUID()}`);
    let written: Written;
    try {
      written = await writeTemp(temp, source, { where, algorithm, expectedSize, ...options });
    } catch (err) {
      source.destroy();
      await rm(temp, { force: true });
      throw err;
    }

    try {
      checkWritten(written, { algorithm, expectedSize, where });
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }

    publish(temp, target, where);
    return written.bytes ? { size: written.size, bytes: written.bytes } : { size: written.size };
  }

  /**
   * Most blobs of a sync are small (configs, thin layers). One is read whole first, which frees
   * its connection at once, and checked before anything is written: a wrong blob never reaches
   * the disk. Its file is then made, written and renamed in place, not through the thread pool,
   * and only the fsync is handed over. On two cores a hand-over costs more than creating a file
   * this small: the hand-overs of each small file's open, write, close and rename were the
   * largest cost a profile of a cold sync found. A disk that stalls a call stalls the sync too,
   * as it would anyway while the store waits on it.
   */
  async #writeSmall(
    target: string,
    source: Readable,
    options: TempOptions & { expectedSize: number },
  ): Promise<{ size: number; bytes?: Buffer }> {
    const { where, algorithm, expectedSize, keepUpTo } = options;
    const hash = createHash(algorithm);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of readChunks(source, where)) {
        size += chunk.length;
        if (size > expectedSize) {
          throw mismatch(`more than the expected ${expectedSize} bytes`, where);
        }
        hash.update(chunk);
        chunks.push(chunk);
      }
    } catch (err) {
      source.destroy();
      throw err;
    }
    checkWritten({ size, hash: hash.digest('hex') }, { algorithm, expectedSize, where });
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);

    await this.#mkdir(this.#tmp);
    await this.#mkdir(dirname(target));
    const temp = join(this.#tmp, `${algorithm}-${randomUUID()}`);
    try {
      await writeSmallTemp(temp, bytes);
    } catch (err) {
      rmSync(temp, { force: true });
      throw storageError(err, 'cannot write blob', where);
    }
    publish(temp, target, where);
    return keepUpTo !== undefined && size <= keepUpTo ? { size, bytes } : { size };
  }

  async #mkdir(dir: string): Promise<void> {
    if (this.#made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.#made.add(dir);
  }

  /**
   * Removes temp files older than `olderThanMs`: what a killed process left mid-download. Young
   * ones may belong to a download running in another process on the same store.
   */
  async removeStaleTemp(olderThanMs: number): Promise<number> {
    const names = await readdir(this.#tmp).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const file = join(this.#tmp, name);
      const info = await stat(file).catch(() => undefined);
      if (!info || Date.now() - info.mtimeMs < olderThanMs) continue;
      await rm(file, { force: true });
      removed += 1;
    }
    return removed;
  }

  /** A small blob (an image config) whole, checked against its digest on the way out. */
  async read(digest: string): Promise<Buffer> {
    const size = await this.sizeOf(digest);
    const path = this.pathOf(digest);
    if (size === undefined) {
      throw new SyncError('NOT_FOUND', `blob ${digest} is not stored`, { digest, path });
    }
    if (size > READ_CAP) {
      throw new SyncError('BLOB_INVALID', `blob ${digest} is too big to read whole`, {
        digest,
        path,
      });
    }

    const bytes = await readFile(path);
    const { algorithm } = parseDigest(digest);
    const actual = digestOf(bytes, algorithm);
    if (actual !== digest) {
      // A stored file that changed since it was verified: the disk, or someone, corrupted it.
      throw mismatch(`stored bytes hash to ${actual}`, { digest, path, expected: digest, actual });
    }
    return bytes;
  }
}

interface Written {
  size: number;
  /** The hex digest of the bytes, by the digest's algorithm. */
  hash: string;
  bytes?: Buffer;
}

interface TempOptions {
  where: ErrorData;
  algorithm: string;
  expectedSize?: number;
  keepUpTo?: number;
}

/**
 * The source's bytes into a new temp file, hashed on the way, and synced before it is closed:
 * a blob renamed into place must survive a crash whole. Chunks are written one at a time
 * through the file handle, which also holds the source back while the disk catches up.
 *
 * A plain loop rather than `pipeline()` into a write stream: most blobs of a sync are small
 * (configs, thin layers) and arrive in one chunk, and for those the streams' own machinery
 * cost more CPU than the writing (about a second per 6,000 blobs).
 */
async function writeTemp(temp: string, source: Readable, options: TempOptions): Promise<Written> {
  const { where, expectedSize, keepUpTo } = options;
  const hash = createHash(options.algorithm);
  // A small blob the caller reads next (an image config) is kept, not read back from disk.
  let kept: Buffer[] | undefined = keepUpTo !== undefined ? [] : undefined;
  let size = 0;
  let chunks = 0;
  const file = await open(temp, 'wx').catch((err: unknown) => {
    throw storageError(err, 'cannot write blob', where);
  });
  try {
    for await (const chunk of readChunks(source, where)) {
      size += chunk.length;
      // Stop a source that runs past its descriptor instead of filling the disk with it.
      if (expectedSize !== undefined && size > expectedSize) {
        throw mismatch(`more than the expected ${expectedSize} bytes`, where);
      }
      hash.update(chunk);
      if (kept && size <= keepUpTo!) kept.push(chunk);
      else kept = undefined;
      // Once per blob, at its second chunk, the first already in the temp file: half done.
      chunks += 1;
      if (chunks === 2) {
        crashPoint('blob.writing', { digest: where.digest, bytes: size - chunk.length });
      }
      await writeAll(file, chunk, where);
    }
    await file.sync().catch((err: unknown) => {
      throw storageError(err, 'cannot write blob', where);
    });
  } finally {
    await file.close().catch(() => undefined);
  }
  return { size, hash: hash.digest('hex'), ...(kept && { bytes: Buffer.concat(kept) }) };
}

/** The source's chunks; a source that fails is BLOB_INCOMPLETE, naming the blob. */
async function* readChunks(source: Readable, where: ErrorData): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof SyncError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new SyncError(
      'BLOB_INCOMPLETE',
      `blob ${where.digest}: stream failed: ${message}`,
      where,
      {
        cause: err,
      },
    );
  }
}

/** A write to a regular file may take less than the whole chunk; the rest follows. */
async function writeAll(file: FileHandle, chunk: Buffer, where: ErrorData): Promise<void> {
  try {
    for (let at = 0; at < chunk.length;) {
      const { bytesWritten } = await file.write(chunk, at, chunk.length - at);
      at += bytesWritten;
    }
  } catch (err) {
    throw storageError(err, 'cannot write blob', where);
  }
}

/** DIGEST_MISMATCH unless the bytes hash to the digest and, where it was given, their size. */
function checkWritten(
  written: Written,
  options: { algorithm: string; expectedSize?: number | undefined; where: ErrorData },
): void {
  const { algorithm, expectedSize, where } = options;
  const { digest } = where;
  const actual = `${algorithm}:${written.hash}`;
  const problem =
    actual !== digest
      ? `bytes hash to ${actual}`
      : expectedSize !== undefined && written.size !== expectedSize
        ? `${written.size} bytes, expected ${expectedSize}`
        : undefined;
  if (problem) throw mismatch(problem, { ...where, expected: digest, actual });
}

/** A verified temp file becomes the blob by an atomic rename: the one step that shows it. */
function publish(temp: string, target: string, where: ErrorData): void {
  crashPoint('blob.before-rename', { digest: where.digest });
  try {
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw storageError(err, 'cannot write blob', where);
  }
  crashPoint('blob.after-rename', { digest: where.digest });
}

/** A small blob's bytes into a new temp file, synced (on the thread pool) before it is closed. */
async function writeSmallTemp(temp: string, bytes: Buffer): Promise<void> {
  const fd = openSync(temp, 'wx');
  try {
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    await new Promise<void>((resolve, reject) =>
      fsync(fd, (err) => (err ? reject(err) : resolve())),
    );
  } finally {
    closeSync(fd);
  }
}

function mismatch(problem: string, where: ErrorData): SyncError {
  return new SyncError('DIGEST_MISMATCH', `blob ${where.digest}: ${problem}`, where);
}

function storageError(err: unknown, what: string, where: ErrorData): SyncError {
  const message = err instanceof Error ? err.message : String(err);
  return new SyncError('STORAGE_ERROR', `${what}: ${message}`, where, { cause: err });
}
