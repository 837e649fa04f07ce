import { evaluateTargets, rssFlatness, checksAt } from '../../../bench/targets';
import { passingResult } from './size-result';

const verdicts = (checks: Array<{ target: string; verdict: string }>) =>
  Object.fromEntries(checks.map((check) => [check.target, check.verdict]));

describe('checksAt', () => {
  it('passes a size that meets every target, probes besides fetches allowed', () => {
    const checks = checksAt(passingResult(1000));

    expect(verdicts(checks)).toEqual({
      'cold sync <= 0.5 x skopeo': 'PASS',
      'cold sync <= 2 x floor': 'PASS',
      'cold sync writes the whole catalog': 'PASS',
      'no-change re-sync: tag pages + 1 HEAD per tag only': 'PASS',
      'no-change re-sync <= 10% of cold time': 'PASS',
      '1% changed re-sync fetches only what changed': 'PASS',
    });
    expect(checks.find((c) => c.target.startsWith('1% changed'))?.measured).toBe(
      'ping 1, tags 1, manifestHead 1000, manifestGet 40, blobGet 60, other 1',
    );
  });

  it('fails a no-change re-sync that makes any request besides the pages and the HEADs', () => {
    const result = passingResult(1000);
    result.noChange.requests.ping = 1;

    const check = checksAt(result).find((c) => c.target.startsWith('no-change re-sync:'));

    expect(check).toMatchObject({
      measured: 'ping 1, tags 1, manifestHead 1000',
      limit: 'tags 1, manifestHead 1000',
      verdict: 'FAIL',
    });
  });

  it('fails a changed re-sync that fetches one blob more than changed', () => {
    const result = passingResult(1000);
    result.changed.requests.blobGet += 1;

    const check = checksAt(result).find((c) => c.target.startsWith('1% changed'));

    expect(check).toMatchObject({
      limit: 'tags 1, manifestHead 1000, manifestGet 40, blobGet 60',
      verdict: 'FAIL',
    });
  });

  it('fails the cold sync on time against skopeo and the floor, and on a missing blob', () => {
    const result = passingResult(1000);
    result.cold.wallSeconds = 30;
    result.ratios = { ...result.ratios, coldOverSkopeo: 30 / 50, coldOverFloor: 30 / 12 };
    result.cold.catalog.storedBlobFiles -= 1;

    const checks = verdicts(checksAt(result));

    expect(checks['cold sync <= 0.5 x skopeo']).toBe('FAIL');
    expect(checks['cold sync <= 2 x floor']).toBe('FAIL');
    expect(checks['cold sync writes the whole catalog']).toBe('FAIL');
  });

  it('fails a no-change re-sync slower than a tenth of the cold sync', () => {
    const result = passingResult(1000);
    result.noChange.wallSeconds = 2.1;

    const check = checksAt(result).find((c) => c.target.endsWith('of cold time'));

    expect(check).toMatchObject({ measured: '2.10 s (10.5%)', limit: '2.00 s', verdict: 'FAIL' });
  });
});

describe('rssFlatness', () => {
  it('compares the cold sync peak RSS at 5000 tags with that at 1000', () => {
    const within = rssFlatness([passingResult(1000, 100 * 1024), passingResult(5000, 120 * 1024)]);
    const over = rssFlatness([passingResult(1000, 100 * 1024), passingResult(5000, 121 * 1024)]);

    expect(within).toMatchObject({ measured: '120 MiB vs 100 MiB (1.20x)', verdict: 'PASS' });
    expect(over.verdict).toBe('FAIL');
  });

  it('is N/A when either size is missing', () => {
    expect(rssFlatness([passingResult(1000)]).verdict).toBe('N/A');
    expect(rssFlatness([passingResult(5000)]).verdict).toBe('N/A');
  });
});

describe('evaluateTargets', () => {
  it('judges the targets at 1000 tags only, whatever else was measured', () => {
    const small = passingResult(100);
    small.ratios.coldOverSkopeo = 0.9;

    const targets = evaluateTargets([small, passingResult(1000)]);

    expect(targets.map((t) => [t.size, t.verdict])).toEqual([
      ...Array(6).fill([1000, 'PASS']),
      [5000, 'N/A'],
    ]);
  });

  it('reports every target N/A when 1000 tags were not measured', () => {
    const targets = evaluateTargets([passingResult(100)]);

    expect(targets.map((t) => t.verdict)).toEqual(Array(7).fill('N/A'));
  });
});
