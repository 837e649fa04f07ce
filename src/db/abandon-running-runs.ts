import type { EntityManager } from 'typeorm';
import { SyncRun } from './entities/sync-run';

/** What an abandoned run's `error` says, for `status` and log queries. */
export const ABANDONED_ERROR = {
  message:
    'the run never recorded its end (its process died, or lost the database as it ended); ' +
    'a later sync found it running',
};

/**
 * Ends the runs of a repository still marked running as `abandoned`, and returns them. Called as
 * a sync of the repository starts, before its own row is written: no other live process syncs
 * the repository then (the caller holds the repository's lock, and one process never syncs a
 * repository twice at once), so a run still running is one whose process was killed before it
 * could record its end, or whose end could not be written because the database was gone. Left alone, it would show as running forever. `ended_at` stays null: when
 * the process died is not known.
 */
export async function abandonRunningRuns(
  manager: EntityManager,
  repositoryId: string,
): Promise<SyncRun[]> {
  const stale = await manager.find(SyncRun, {
    where: { repositoryId, result: 'running' },
    order: { startedAt: 'ASC' },
  });
  if (stale.length === 0) return [];
  await manager.update(
    SyncRun,
    stale.map((run) => run.id),
    { result: 'abandoned', error: ABANDONED_ERROR },
  );
  return stale;
}
