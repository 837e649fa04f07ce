import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { RegistryClient } from '../src/registry/registry-client';
import { AccessLogWindow } from './access-log-window';
import { changeTags } from './change-tags';
import { fillRegistry } from './fill-registry';
import { type CatalogCheck, ContainerSyncPeer } from './peers/container-sync';
import { runFloor } from './peers/floor';
import { runSkopeo } from './peers/skopeo';
import { findPid } from './process-cpu';
import type { CatalogRun, Expected, SizeResult } from './results';

export interface MeasureSizeOptions {
  root: string;
  profile: boolean;
  keep: boolean;
  log: (message: string) => void;
}

/** Rows of the catalog's own tables; the migrations table is the schema's, not the sync's. */
function catalogRows(check: CatalogCheck | undefined): number {
  if (check === undefined) return 0;
  return Object.entries(check.rows)
    .filter(([table]) => table !== 'migrations')
    .reduce((sum, [, rows]) => sum + rows, 0);
}

/** Pages of the tag list, walked once by the bench itself, outside every peer's window. */
async function tagPages(registryUrl: string, repository: string, tags: number): Promise<number> {
  const client = new RegistryClient({ registryUrl, repository });
  try {
    const listed = await lastValueFrom(client.listTags().pipe(toArray()));
    if (listed.length !== tags) throw new Error(`the registry lists ${listed.length} tags`);
    return client.requests.tags;
  } finally {
    client.close();
  }
}

/**
 * One size, on one upstream: the floor, skopeo and container-sync's cold sync from the same
 * filled registry, then container-sync's re-sync with no change and after 1% of the tags
 * changed. Peers run one at a time, so none competes with another for the two cores.
 */
export async function measureSize(size: number, options: MeasureSizeOptions): Promise<SizeResult> {
  const stages: Record<string, number> = {};
  const stage = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    options.log(`[${size}] ${name}...`);
    const result = await work();
    stages[name] = (Date.now() - started) / 1000;
    options.log(`[${size}] ${name}: ${stages[name].toFixed(1)} s`);
    return result;
  };

  const filled = await stage('fill', () => fillRegistry(options.root, size));
  const { registry, repository, content } = filled;
  options.log(`[${size}] registry filled from ${filled.fill.source} at ${registry.url}`);
  const workDir = await mkdtemp(join(tmpdir(), `cs-bench-${size}-`));
  let peer: ContainerSyncPeer | undefined;
  let succeeded = false;
  try {
    const watch = {
      log: new AccessLogWindow(registry.logFile, registry.url),
      pid: await findPid(registry.configFile),
    };
    const expected: Expected = {
      tags: Object.keys(content.tags).length,
      manifests: content.manifests.length,
      blobs: content.blobs.length,
      tagPages: await tagPages(registry.url, repository, Object.keys(content.tags).length),
    };

    const floor = await stage('floor', () => runFloor(watch, workDir, registry.url, repository));
    const skopeo = await stage('skopeo', () =>
      runSkopeo(watch, workDir, registry.host, repository),
    );

    peer = await ContainerSyncPeer.create(workDir, registry.url, repository);
    const catalogRun = async (
      phase: CatalogRun['phase'],
      before: CatalogCheck | undefined,
      nodeArgs: string[] = [],
    ): Promise<CatalogRun> => {
      const run = await stage(`container-sync ${phase}`, () => peer!.sync(watch, phase, nodeArgs));
      const catalog = await peer!.check();
      const rowsWritten = catalogRows(catalog) - catalogRows(before);
      return {
        ...run,
        catalog,
        rowsWritten,
        rowsPerSecond: Math.round(rowsWritten / run.wallSeconds),
      };
    };
    const profileArgs = options.profile ? ['--cpu-prof', '--cpu-prof-dir', workDir] : [];
    const cold = await catalogRun('cold', undefined, profileArgs);
    const noChange = await catalogRun('no-change', cold.catalog);
    const change = await stage('change 1%', () => changeTags(registry.url, repository, content));
    const changed = { ...(await catalogRun('changed', noChange.catalog)), change };

    succeeded = true;
    return {
      size,
      expected,
      fill: filled.fill,
      floor,
      skopeo,
      cold,
      noChange,
      changed,
      ratios: {
        coldOverSkopeo: cold.wallSeconds / skopeo.wallSeconds,
        coldOverFloor: cold.wallSeconds / floor.wallSeconds,
        coldCpuOverSkopeo: cold.cpuSeconds / skopeo.cpuSeconds,
        coldCpuOverFloor: cold.cpuSeconds / floor.cpuSeconds,
      },
      stages,
    };
  } finally {
    await peer?.close();
    await registry.stop();
    if (succeeded && !options.keep && !options.profile) {
      await rm(workDir, { recursive: true, force: true });
    } else {
      options.log(`[${size}] work dir kept: ${workDir}`);
    }
  }
}
