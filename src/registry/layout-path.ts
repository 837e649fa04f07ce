import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { SyncError } from '../errors';

/**
 * The real path of `relative` (a path inside an OCI layout), every symlink resolved, or
 * `undefined` when nothing is there. A file whose real location is not under the layout's own
 * real root is refused as LAYOUT_INVALID: a layout copied from elsewhere may hold symlinks (or
 * an index naming `..` paths), and a sync must read nothing but the layout it was pointed at.
 */
export async function realPathInLayout(
  realRoot: string,
  relative: string,
): Promise<string | undefined> {
  const joined = path.join(realRoot, relative);
  let real: string;
  try {
    real = await realpath(joined);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SyncError('LAYOUT_INVALID', `cannot resolve ${relative} in the layout`, {
      path: joined,
    });
  }
  if (!isInside(realRoot, real)) {
    throw new SyncError('LAYOUT_INVALID', `${relative} resolves outside the layout: ${real}`, {
      path: joined,
    });
  }
  return real;
}

/** Whether `file` is `root` itself or below it; both absolute and already real. */
export function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return !path.isAbsolute(relative) && relative.split(path.sep)[0] !== '..';
}
