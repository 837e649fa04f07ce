import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { type PeerRun, type RegistryWatch, runPeer } from '../peer-run';

/** The floor's entry, compiled beside this file (dist/bench/peers -> dist/bench/floor.js). */
const FLOOR = join(__dirname, '../floor.js');

/** Same as the product's default `concurrency`, which is its socket cap per registry. */
export const FLOOR_CONCURRENCY = 8;

export interface FloorRun extends PeerRun {
  fetched: { tags: number; manifests: number; blobs: number; bytes: number };
}

export async function runFloor(
  registry: RegistryWatch,
  workDir: string,
  registryUrl: string,
  repository: string,
): Promise<FloorRun> {
  const args = [FLOOR, registryUrl, repository, String(FLOOR_CONCURRENCY)];
  const run = await runPeer(registry, { peer: 'floor', phase: 'cold' }, process.execPath, args, {
    outDir: workDir,
    label: 'floor-cold',
  });
  const fetched = JSON.parse(await readFile(run.stdoutFile, 'utf8')) as FloorRun['fetched'];
  const { stdoutFile: _out, stderrFile: _err, ...measured } = run;
  return { ...measured, fetched };
}
