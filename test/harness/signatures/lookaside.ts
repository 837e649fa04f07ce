import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** `signature-<N>`, N counting from 1 (containers-registries.d.5.md, "lookaside"). */
const SIGNATURE_FILE = /^signature-([1-9][0-9]*)$/;

/**
 * Where a lookaside store keeps one manifest's signatures: `<repository>@<algorithm>=<hex>`, the
 * digest's colon made `=` (containers-registries.d.5.md); relative to the store's root.
 */
export function lookasideFolder(repository: string, digest: string): string {
  return `${repository}@${digest.replace(':', '=')}`;
}

export function lookasideSignaturePath(
  root: string,
  repository: string,
  digest: string,
  index: number,
): string {
  return join(root, lookasideFolder(repository, digest), `signature-${index}`);
}

/** The signature files stored for a manifest, in index order; none when the folder is absent. */
export async function readLookasideSignatures(
  root: string,
  repository: string,
  digest: string,
): Promise<Buffer[]> {
  const folder = join(root, lookasideFolder(repository, digest));
  const names = await readdir(folder).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const indexes = names
    .map((name) => Number(SIGNATURE_FILE.exec(name)?.[1]))
    .filter((index) => Number.isInteger(index))
    .sort((a, b) => a - b);
  return Promise.all(indexes.map((index) => readFile(join(folder, `signature-${index}`))));
}

/**
 * Stores one more signature for a manifest under the next free index, as a second signer would,
 * and resolves with its path. Readers stop at the first missing index, so the numbering must
 * stay dense.
 */
export async function addLookasideSignature(
  root: string,
  repository: string,
  digest: string,
  bytes: Buffer,
): Promise<string> {
  const existing = await readLookasideSignatures(root, repository, digest);
  const file = lookasideSignaturePath(root, repository, digest, existing.length + 1);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return file;
}
