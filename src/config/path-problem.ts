import { constants, type Stats } from 'node:fs';
import { access, stat } from 'node:fs/promises';

/** What a path named in the config must be. */
export type PathKind = 'file' | 'directory';

/**
 * Why `resolved` cannot serve as a readable file or directory, or `undefined` when it can. The
 * message names the resolved path, so a relative path that was taken from the config file's
 * directory shows where it was looked for.
 */
export async function pathProblem(resolved: string, kind: PathKind): Promise<string | undefined> {
  try {
    await access(resolved, constants.R_OK);
  } catch (err) {
    return `cannot read ${resolved} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`;
  }
  const info = await stat(resolved);
  if (kind === 'file' && !info.isFile()) return `${resolved} is not a file`;
  if (kind === 'directory' && !info.isDirectory()) return `${resolved} is not a directory`;
  return undefined;
}

/**
 * The data directory is made on first use, so a missing one is fine; one that exists must be a
 * directory this process can read and write.
 */
export async function dataDirProblem(resolved: string): Promise<string | undefined> {
  let info: Stats;
  try {
    info = await stat(resolved);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : `cannot use ${resolved} (${code ?? 'unknown'})`;
  }
  if (!info.isDirectory()) return `${resolved} is not a directory`;
  try {
    await access(resolved, constants.R_OK | constants.W_OK);
    return undefined;
  } catch (err) {
    return `cannot write to ${resolved} (${(err as NodeJS.ErrnoException).code ?? 'denied'})`;
  }
}
