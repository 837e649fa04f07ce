import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { sha256Digest } from '../../src/content/digest';

/**
 * Every entry carries this mtime: a timestamp from the clock would change the layer's digest on
 * each run. (Node's gzip header carries mtime 0 already.)
 */
const LAYER_MTIME = new Date('2020-01-01T00:00:00Z');

export interface LayerFile {
  /** A relative path; its parent directories get entries of their own, as `docker build` does. */
  path: string;
  content: Buffer;
}

export interface BuiltLayer {
  /** The gzip-compressed tar, as pushed and as named by the manifest. */
  compressed: Buffer;
  digest: string;
  /** The SHA-256 of the uncompressed tar, as the image config's `rootfs.diff_ids` lists it. */
  diffId: string;
}

function parentDirectories(paths: string[]): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/').slice(0, -1);
    parts.forEach((_, i) => dirs.add(`${parts.slice(0, i + 1).join('/')}/`));
  }
  return [...dirs].sort();
}

/** Writes `files` as a tar with tar-stream; resolves once the archive has ended. */
export async function buildTar(files: LayerFile[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    archive.on('data', (chunk) => chunks.push(chunk as Buffer));
    archive.once('end', resolve);
    archive.once('error', reject);
  });

  const owner = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: LAYER_MTIME };
  for (const name of parentDirectories(files.map((file) => file.path))) {
    archive.entry({ ...owner, name, type: 'directory', mode: 0o755 });
  }
  for (const file of files) {
    archive.entry({ ...owner, name: file.path, type: 'file', mode: 0o644 }, file.content);
  }
  archive.finalize();

  await ended;
  return Buffer.concat(chunks);
}

/** A real image layer: a tar of `files`, gzip-compressed, with both digests an image needs. */
export async function buildLayer(files: LayerFile[]): Promise<BuiltLayer> {
  const tar = await buildTar(files);
  const compressed = gzipSync(tar);
  return { compressed, digest: sha256Digest(compressed), diffId: sha256Digest(tar) };
}
