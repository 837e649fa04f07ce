import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../../src/db/catalog';
import { checkCatalog } from '../../src/db/consistency-checks';
import type { BlobStore } from '../../src/storage/blob-store';

/**
 * The catalog's named consistency queries, plus the store: every stored blob's file exists and
 * hashes to its digest, and no file under blobs/ is anything but a complete, named blob.
 */
export async function checkConsistency(catalog: Catalog, store: BlobStore) {
  const found: Record<string, string[]> = await catalog.read((m) => checkCatalog(m));
  const stored: Array<{ digest: string }> = await catalog.read((m) =>
    m.query('SELECT digest FROM blob WHERE stored'),
  );
  found['blobFileMissingOrWrong'] = [];
  for (const { digest } of stored) {
    const bytes = await readFile(store.pathOf(digest)).catch(() => undefined);
    if (!bytes || `sha256:${sha256(bytes)}` !== digest)
      found['blobFileMissingOrWrong'].push(digest);
  }
  found['partialFileVisible'] = [];
  const dir = path.join(store.root, 'blobs', 'sha256');
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (sha256(await readFile(path.join(dir, name))) !== name)
      found['partialFileVisible'].push(name);
  }
  return found;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
