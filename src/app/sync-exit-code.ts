import type { SyncSummary } from '../pipeline/sync-repository';

/**
 * The exit status of a `sync`: 0 when every repository succeeded, 2 when some ended partial and
 * none failed (a scheduler can retry later without paging anyone), 1 when any failed or was
 * interrupted (stopped by a signal, or its lock lost to another process).
 */
export function syncExitCode(summaries: readonly SyncSummary[]): number {
  const stopped = (summary: SyncSummary) => ['failed', 'interrupted'].includes(summary.result);
  if (summaries.some(stopped)) return 1;
  if (summaries.some((summary) => summary.result === 'partial')) return 2;
  return 0;
}
