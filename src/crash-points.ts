/**
 * Named places in the sync where a crash leaves the most to clean up: between a write and the
 * record of it, inside a transaction before its commit, after a commit before anyone heard of
 * it. The product only announces them; a test hook (test/harness/crash-at-hook.ts, preloaded
 * into the CLI) may kill the process at one, to prove that a re-run completes and leaves a
 * consistent catalog whichever step was cut short. Without a hook an announcement costs one
 * comparison.
 */
export const CRASH_POINTS = [
  // The run's row is saved as running; nothing else is.
  'run.started',
  // A page of the tag list read.
  'tags.page',
  // A tag's manifest (or a list's child) read, before it is parsed.
  'manifest.fetched',
  'child-manifest.fetched',
  // A blob download: its temp file partly written, whole and verified, renamed into the store.
  'blob.writing',
  'blob.before-rename',
  'blob.after-rename',
  // Per kind of row a batch holds: before its transaction, after its rows are written inside it,
  // and after the commit before the batch's DCs are resolved.
  'batch.blob.before',
  'batch.blob.written',
  'batch.blob.committed',
  'batch.manifest.before',
  'batch.manifest.written',
  'batch.manifest.committed',
  'batch.list.before',
  'batch.list.written',
  'batch.list.committed',
  'batch.tag.before',
  'batch.tag.written',
  'batch.tag.committed',
  'batch.signature.before',
  'batch.signature.written',
  'batch.signature.committed',
  // Join rows of the batch's manifests written, just before the commit.
  'join-rows.written',
  // The version: before its transaction, its row written but not its content, the run's end
  // saved but not committed, committed before the run is reported.
  'version.before',
  'version.row-written',
  'version.inside',
  'version.committed',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Where a point was reached, for the hook's log line: a digest, a batch number. */
export type CrashContext = Record<string, string | number | null | undefined>;

export type CrashHook = (point: CrashPoint, context: CrashContext) => void;

let installed: CrashHook | undefined;

/** Announces that `point` was reached. Does nothing unless a test installed a hook. */
export function crashPoint(point: CrashPoint, context: CrashContext = {}): void {
  installed?.(point, context);
}

/**
 * For the test hook only: the product never installs one, and never reads the variable that
 * tells the hook where to crash.
 */
export function installCrashHook(hook: CrashHook | undefined): void {
  installed = hook;
}
