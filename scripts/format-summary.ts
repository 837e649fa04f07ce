import type { SyncSummary } from '../src/pipeline/sync-repository';

/** One line per repository, for people: the log line carries the same fields as JSON. */
export function formatSummary(summary: SyncSummary): string {
  const version =
    summary.version === null ? 'no new version (nothing changed)' : `version ${summary.version}`;
  const counts = `${summary.tags} tags, ${summary.manifests} manifests, ${summary.blobs} blobs`;
  const size = `${summary.bytes} bytes`;
  const seconds = `${(summary.durationMs / 1000).toFixed(1)}s`;
  const problems = [
    ...(summary.failed.length > 0 ? [`${summary.failed.length} references failed`] : []),
    ...(summary.error ? [`error ${String(summary.error['code'])}`] : []),
  ];
  const outcome = `${summary.repository}: ${summary.result}, ${version}`;
  return [`${outcome}; ${counts}, ${size} in ${seconds}`, ...problems].join(', ');
}
