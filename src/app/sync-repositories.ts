import type { RepositoryConfig } from '../config/sync-config';
import type { SyncSummary } from '../pipeline/sync-repository';
import type { AppContext } from './app-context';
import { syncWithLock } from './sync-with-lock';

/**
 * Syncs the repositories one after another, in the order given. One repository failing does not
 * stop the rest: its summary says `failed`, and the next one still runs. A repository another
 * process is syncing is waited for (see syncWithLock). Once `signal` aborts, the running sync
 * stops after its batch and no further repository starts.
 */
export async function syncRepositories(
  app: AppContext,
  repositories: readonly RepositoryConfig[],
  overrides: { batchSize?: number; signal?: AbortSignal } = {},
): Promise<SyncSummary[]> {
  const summaries: SyncSummary[] = [];
  for (const config of repositories) {
    if (overrides.signal?.aborted) break;
    const summary = await syncWithLock(app, config, { whenLocked: 'wait', ...overrides });
    if (summary) summaries.push(summary);
  }
  return summaries;
}
