import { readRepositoryStatus } from '../../src/app/read-repository-status';
import type { SyncSummary } from '../../src/pipeline/sync-repository';
import { checkConsistency } from '../harness/check-consistency';
import { type LogLines, msg } from '../harness/log-lines';
import type { SyncRig } from '../harness/sync-rig';
import { catalogRows } from './catalog-expectations';

/** One failed reference as the summary, the SyncRun row and the log line report it. */
export interface ExpectedFailure {
  repository: string;
  reference: string;
  /** The bad document. */
  digest: string;
  /** The manifest the bad document belongs to, where it is a blob or child of one. */
  manifest?: string;
  code: string;
  message: string;
}

/**
 * What a run that met one bad document must show: it ended partial with exactly that failure,
 * logged once with the same fields; the new version holds exactly `tags`; the failed tag's own
 * manifest (`unsaved`) is not in the catalog, so the next run fetches it again; and the
 * catalog's consistency checks find nothing.
 */
export async function expectOnlyFailure(
  rig: SyncRig,
  run: { summary: SyncSummary; log: LogLines },
  expected: { failure: ExpectedFailure; tags: Record<string, string>; unsaved: string },
): Promise<void> {
  const { summary, log } = run;
  expect(summary.result).toBe('partial');
  expect(summary.failed).toEqual([expected.failure]);
  expect(log.count(msg('tag failed'))).toBe(1);
  expect(log.lines.find(msg('tag failed'))).toMatchObject(expected.failure);
  const [status] = await readRepositoryStatus(rig.catalog, [expected.failure.repository]);
  expect(status!.version).toBe(summary.version);
  expect(status!.lastRun).toMatchObject({
    result: 'partial',
    error: { failed: [expected.failure] },
  });
  const content = await rig.content(expected.failure.repository);
  expect(content.tags).toEqual(expected.tags);
  expect((await catalogRows(rig.catalog)).manifests).not.toContain(expected.unsaved);
  const found = await checkConsistency(rig.catalog, rig.store);
  expect(Object.values(found).flat()).toEqual([]);
}
