import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { type PeerRun, type RegistryWatch, runPeer } from '../peer-run';

export interface SkopeoRun extends PeerRun {
  /** Image directories skopeo wrote: one per tag when it synced everything. */
  images: number;
}

/**
 * The command, exactly: `skopeo sync --all --src docker --dest dir
 * --src-tls-verify=false <host:port>/<repo> <dir>`, into an empty directory that is removed
 * afterwards. The dir transport keeps each image in its own directory, so skopeo fetches a
 * shared layer once per image that has it; that is the tool as users run it.
 */
export async function runSkopeo(
  registry: RegistryWatch,
  workDir: string,
  registryHost: string,
  repository: string,
): Promise<SkopeoRun> {
  const dest = await mkdtemp(join(workDir, 'skopeo-dir-'));
  try {
    const args = [
      'sync',
      '--all',
      '--src',
      'docker',
      '--dest',
      'dir',
      '--src-tls-verify=false',
      `${registryHost}/${repository}`,
      dest,
    ];
    const run = await runPeer(registry, { peer: 'skopeo', phase: 'cold' }, 'skopeo', args, {
      outDir: workDir,
      label: 'skopeo-cold',
    });
    const { stdoutFile: _out, stderrFile: _err, ...measured } = run;
    return { ...measured, images: await countImageDirs(dest) };
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

/** skopeo writes `<dest>/<last path component of repo>:<tag>/` per image. */
async function countImageDirs(dest: string): Promise<number> {
  const entries = await readdir(dest, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory() && entry.name.includes(':')).length;
}
