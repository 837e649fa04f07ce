import type { BenchResults } from '../../../bench/results';
import { renderTables } from '../../../bench/table';
import { checksAt, evaluateTargets } from '../../../bench/targets';
import { passingResult } from './size-result';

function results(): BenchResults {
  const sizes = [passingResult(1000)];
  return {
    startedAt: '2026-12-03T19:00:00.000Z',
    finishedAt: '2026-12-03T19:30:00.000Z',
    machine: {
      cpus: 2,
      cpuModel: 'Test CPU',
      node: 'v20.20.2',
      loadAverageAtStart: [1, 1, 1],
      loadAverageAtEnd: [1, 1, 1],
    },
    settings: { concurrency: 8, batchSize: 100, policy: 'immediate', requestsCountedAt: 'the log' },
    sizes,
    targets: evaluateTargets(sizes),
    checksBySize: sizes.flatMap(checksAt),
  };
}

describe('renderTables', () => {
  it('renders one row per run, the ratios and the targets as Markdown tables', () => {
    const text = renderTables(results());

    const lines = text.split('\n');
    expect(lines[0]).toBe(
      '2026-12-03T19:00:00.000Z, 2 x Test CPU, node v20.20.2; container-sync concurrency 8, ' +
        'batch_size 100, policy immediate; requests counted at the log.',
    );
    expect(lines).toContain(
      '| 1,000 | floor | cold | 12.00 | 6.00 | 3.00 | 100 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |  |  |',
    );
    expect(lines).toContain(
      '| 1,000 | container-sync | cold | 20.00 | 10.00 | 5.00 | 150 | 0 | 1 | 1000 | 4000 | 0 | 6004 | 0 | 50 | 50 |',
    );
    expect(lines).toContain('| 1,000 | 0.40 | 1.67 | 0.40 | 1.67 |');
    expect(lines).toContain(
      '| cold sync <= 0.5 x skopeo | 1,000 | 20.00 s vs 50.00 s (0.40x) | 0.50x | **PASS** |',
    );
    expect(lines.filter((line) => line.startsWith('| --- |'))).toHaveLength(3);
  });

  it('names the commit measured where the results carry one', () => {
    const [about] = renderTables({ ...results(), commit: '73d7694c1e2f' }).split('\n');

    expect(about).toMatch(/^2026-12-03T19:00:00.000Z, commit 73d7694c1e2f, 2 x Test CPU, /);
  });
});
