import type { SyncSummary } from '../pipeline/sync-repository';

/**
 * The exit status of a `sync`: 0 when every repository succeeded, 2 when some ended partial and
 * none failed (a scheduler can retry later without paging anyone), 1 when any failed.
 */
export function syncExitCode(summaries: readonly SyncSummary[]): number {
  if (summaries.some((summary) => summary.result === 'failed')) return 1;
  if (summaries.some((summary) => summary.result === 'partial')) return 2;
  return 0;
}
