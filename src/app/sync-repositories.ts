import type { RepositoryConfig } from '../config/sync-config';
import { syncRepository, type SyncSummary } from '../pipeline/sync-repository';
import type { AppContext } from './app-context';
import { buildRepositorySync } from './build-repository-sync';

/**
 * Syncs the repositories one after another, in the order given. One repository failing does not
 * stop the rest: its summary says `failed`, and the next one still runs.
 */
export async function syncRepositories(
  app: AppContext,
  repositories: readonly RepositoryConfig[],
  overrides: { batchSize?: number } = {},
): Promise<SyncSummary[]> {
  const deps = { catalog: app.catalog, store: app.store, log: app.log };
  const summaries: SyncSummary[] = [];
  for (const config of repositories) {
    const sync = buildRepositorySync(config, {
      log: app.log,
      rateLimiters: app.rateLimiters,
      ...overrides,
    });
    try {
      summaries.push(await syncRepository(deps, sync));
    } finally {
      sync.close();
    }
  }
  return summaries;
}
