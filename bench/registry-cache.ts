import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RepositoryContent } from './bench-repository';

const run = promisify(execFile);

/** The sources whose output lands in the registry: a change to any of them is a new cache. */
const GENERATOR_SOURCES = [
  'test/harness/image-generator.ts',
  'test/harness/image-documents.ts',
  'test/harness/build-layer.ts',
  'test/harness/deterministic-bytes.ts',
  'bench/bench-repository.ts',
];

/** Gitignored: the tarballs are large and this machine's own. */
export function cacheDir(root: string): string {
  return join(root, 'bench', '.cache');
}

/** 12 hex digits of SHA-256 over the generator's sources and the size. */
export async function generatorHash(root: string, size: number): Promise<string> {
  const hash = createHash('sha256').update(`size=${size}\n`);
  for (const source of GENERATOR_SOURCES) hash.update(await readFile(join(root, source)));
  return hash.digest('hex').slice(0, 12);
}

export interface CacheEntry {
  tarball: string;
  /** The repository's digests beside the tarball, so a restore needs no regeneration. */
  contentFile: string;
}

export function cacheEntry(dir: string, size: number, hash: string): CacheEntry {
  const stem = join(dir, `registry-${size}-${hash}`);
  return { tarball: `${stem}.tar`, contentFile: `${stem}.json` };
}

export function isCached(entry: CacheEntry): boolean {
  return existsSync(entry.tarball) && existsSync(entry.contentFile);
}

/** Unpacks the storage into the (empty) storage root of a registry that is already serving. */
export async function restoreStorage(
  entry: CacheEntry,
  storageDir: string,
): Promise<RepositoryContent> {
  await run('tar', ['-C', storageDir, '-xf', entry.tarball]);
  return JSON.parse(await readFile(entry.contentFile, 'utf8')) as RepositoryContent;
}

/**
 * Saves the storage root as a tarball, written under a temp name and renamed, so an
 * interrupted save never leaves a tarball that looks complete. The registry must be idle.
 */
export async function saveStorage(
  entry: CacheEntry,
  storageDir: string,
  content: RepositoryContent,
): Promise<void> {
  await mkdir(join(entry.tarball, '..'), { recursive: true });
  await run('tar', ['-C', storageDir, '-cf', `${entry.tarball}.part`, '.']);
  await writeFile(`${entry.contentFile}.part`, JSON.stringify(content));
  await rename(`${entry.contentFile}.part`, entry.contentFile);
  await rename(`${entry.tarball}.part`, entry.tarball);
}
