import { syncExitCode } from '../../../src/app/sync-exit-code';
import type { SyncSummary } from '../../../src/pipeline/sync-repository';

const summary = (result: SyncSummary['result']) => ({ result }) as SyncSummary;

describe('syncExitCode', () => {
  it.each([
    [['success', 'success'], 0],
    [['success', 'partial'], 2],
    [['partial', 'failed'], 1],
    // Stopped by SIGTERM, or its lock lost to another process: not done, not a success.
    [['success', 'interrupted'], 1],
    [['partial', 'interrupted'], 1],
  ] as const)('%j exits %i', (results, code) => {
    expect(syncExitCode(results.map(summary))).toBe(code);
  });
});
