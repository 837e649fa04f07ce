import type { Catalog } from '../db/catalog';
import { Repository } from '../db/entities/repository';
import { SyncRun, type SyncResult } from '../db/entities/sync-run';
import { readVersionContent } from '../db/version-content';

/** One repository as `status` shows it: what its latest version holds and how its last run went. */
export interface RepositoryStatus {
  repository: string;
  /** Null until a sync has made a version. */
  version: number | null;
  content: { tags: number; manifests: number; blobs: number };
  lastRun: LastRun | null;
}

export interface LastRun {
  result: SyncResult;
  startedAt: string;
  /** Null while the run is going (or when it died without recording its end). */
  durationMs: number | null;
  counts: Record<string, number>;
  error: Record<string, unknown> | null;
}

/**
 * Status of the named repositories, in the order given (a name never synced shows as empty), or
 * of every repository in the catalog by name when none are given.
 */
export async function readRepositoryStatus(
  catalog: Catalog,
  names?: readonly string[],
): Promise<RepositoryStatus[]> {
  const wanted = names ?? (await repositoryNames(catalog));
  const statuses: RepositoryStatus[] = [];
  for (const name of wanted) statuses.push(await statusOf(catalog, name));
  return statuses;
}

async function repositoryNames(catalog: Catalog): Promise<string[]> {
  const rows = await catalog.read((m) => m.find(Repository, { order: { name: 'ASC' } }));
  return rows.map((row) => row.name);
}

async function statusOf(catalog: Catalog, name: string): Promise<RepositoryStatus> {
  const content = await catalog.read((m) => readVersionContent(m, name));
  const run = await catalog.read((m) =>
    m
      .createQueryBuilder(SyncRun, 'run')
      .innerJoin(Repository, 'r', 'r.id = run.repositoryId')
      .where('r.name = :name', { name })
      .orderBy('run.startedAt', 'DESC')
      .getOne(),
  );
  return {
    repository: name,
    version: content.version,
    content: {
      tags: Object.keys(content.tags).length,
      manifests: Object.keys(content.manifests).length,
      blobs: content.blobs.length,
    },
    lastRun: run ? lastRunOf(run) : null,
  };
}

function lastRunOf(run: SyncRun): LastRun {
  return {
    result: run.result,
    startedAt: run.startedAt.toISOString(),
    durationMs: run.endedAt ? run.endedAt.getTime() - run.startedAt.getTime() : null,
    counts: run.counts,
    error: run.error,
  };
}
