import type { LastRun, RepositoryStatus } from '../app/read-repository-status';

const HEADERS = [
  'REPOSITORY',
  'VERSION',
  'TAGS',
  'MANIFESTS',
  'BLOBS',
  'LAST RUN',
  'STARTED',
  'DURATION',
  'RUN COUNTS',
  'ERROR',
];

/** Long error messages would push every other row off the screen; --json has them whole. */
const ERROR_WIDTH = 60;

/** A plain, space-aligned table with one row per repository; `-` where there is no value. */
export function formatStatusTable(statuses: readonly RepositoryStatus[]): string {
  if (statuses.length === 0) return 'no repositories in the catalog yet';
  const rows = [HEADERS, ...statuses.map(statusRow)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function statusRow(status: RepositoryStatus): string[] {
  const run = status.lastRun;
  return [
    status.repository,
    status.version === null ? '-' : String(status.version),
    String(status.content.tags),
    String(status.content.manifests),
    String(status.content.blobs),
    run?.result ?? 'never',
    run?.startedAt ?? '-',
    run?.durationMs == null ? '-' : formatDuration(run.durationMs),
    run ? formatCounts(run.counts) : '-',
    run ? formatError(run) : '-',
  ];
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** The summary's order; jsonb hands keys back in its own (shortest first). */
const COUNT_ORDER = ['tags', 'manifests', 'blobs', 'bytes', 'failed'];

function formatCounts(counts: Record<string, number>): string {
  const rank = (key: string) => {
    const index = COUNT_ORDER.indexOf(key);
    return index === -1 ? COUNT_ORDER.length : index;
  };
  const entries = Object.entries(counts).sort(([a], [b]) => rank(a) - rank(b));
  return entries.length === 0 ? '-' : entries.map(([key, value]) => `${key}=${value}`).join(' ');
}

/** A failed run records the error; a partial one records the references that failed. */
function formatError(run: LastRun): string {
  const error = run.error;
  if (!error) return '-';
  if (Array.isArray(error['failed'])) return `${error['failed'].length} references failed`;
  const text = [error['code'], error['message']].filter((part) => part !== undefined).join(': ');
  const line = text.split('\n')[0] ?? '';
  return line.length > ERROR_WIDTH ? `${line.slice(0, ERROR_WIDTH - 1)}…` : line;
}
