import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest } from '../content/digest';
import type { BlobStore } from '../storage/blob-store';
import type { Catalog } from './catalog';

export const STORE_CHECKS = [
  'storedBlobFileMissing',
  'storedBlobFileWrong',
  'partialFileVisible',
] as const;

export type StoreCheck = (typeof STORE_CHECKS)[number];

/**
 * The blob store against the catalog, the half of consistency SQL cannot see: every blob the
 * catalog says is stored has its file, and the file hashes to the digest; and nothing under the
 * store's content paths (`blobs/<algorithm>/<hex>`, BlobStore's layout) is anything but a
 * complete blob named by its own digest. A partial file may only live in the store's temp dir,
 * where a download writes before its atomic rename. Each check lists the digests (or, for a
 * stray file, the path under `blobs/`) it found wrong; empty lists are a consistent store.
 */
export async function checkStore(
  catalog: Catalog,
  store: BlobStore,
): Promise<Record<StoreCheck, string[]>> {
  const files = await hashStoredFiles(join(store.root, 'blobs'));
  const stored: Array<{ digest: string }> = await catalog.read((m) =>
    m.query('SELECT digest FROM blob WHERE stored ORDER BY digest'),
  );
  const found: Record<StoreCheck, string[]> = {
    storedBlobFileMissing: [],
    storedBlobFileWrong: [],
    partialFileVisible: [],
  };
  for (const { digest } of stored) {
    const file = files.get(digest);
    if (file === undefined) found.storedBlobFileMissing.push(digest);
    else if (!file.whole) found.storedBlobFileWrong.push(digest);
  }
  for (const [name, file] of files) if (!file.whole) found.partialFileVisible.push(name);
  return found;
}

/** Every entry under `blobs/`, by digest (or relative path), and whether it hashes to its name. */
async function hashStoredFiles(root: string): Promise<Map<string, { whole: boolean }>> {
  const files = new Map<string, { whole: boolean }>();
  const listed = (dir: string) =>
    readdir(dir, { withFileTypes: true }).then(
      (entries) => entries.sort((a, b) => a.name.localeCompare(b.name)),
      () => [],
    );
  for (const top of await listed(root)) {
    const algorithm = top.name;
    if (!top.isDirectory()) {
      files.set(algorithm, { whole: false });
      continue;
    }
    const entries = await listed(join(root, algorithm));
    for (const entry of entries) {
      const digest = `${algorithm}:${entry.name}`;
      if (!entry.isFile() || !isDigest(digest)) {
        files.set(`${algorithm}/${entry.name}`, { whole: false });
        continue;
      }
      const actual = await hashFile(join(root, algorithm, entry.name), algorithm);
      files.set(digest, { whole: actual === entry.name });
    }
  }
  return files;
}

async function hashFile(path: string, algorithm: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
