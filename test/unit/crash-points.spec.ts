import { CRASH_POINTS, crashPoint, installCrashHook } from '../../src/crash-points';
import { type CrashLine, createCrashHook, parseCrashAt } from '../harness/crash-at';

describe('crash points', () => {
  afterEach(() => installCrashHook(undefined));

  it('names each point once', () => {
    expect(new Set(CRASH_POINTS).size).toBe(CRASH_POINTS.length);
    expect(CRASH_POINTS.length).toBeGreaterThanOrEqual(20);
  });

  it('hands the point and its context to an installed hook', () => {
    const seen: unknown[] = [];
    installCrashHook((point, context) => seen.push([point, context]));

    crashPoint('blob.after-rename', { digest: 'sha256:ab' });
    crashPoint('tags.page');

    expect(seen).toEqual([
      ['blob.after-rename', { digest: 'sha256:ab' }],
      ['tags.page', {}],
    ]);
  });
});

describe('the CRASH_AT hook', () => {
  it('reads <point>:<n>, and <point> alone as the first arrival', () => {
    expect(parseCrashAt('batch.list.written:3')).toEqual({ point: 'batch.list.written', n: 3 });
    expect(parseCrashAt('version.before')).toEqual({ point: 'version.before', n: 1 });
  });

  it.each(['batch.nothing:1', 'version.before:0', 'version.before:x', ''])(
    'refuses %j, listing the points',
    (value) => {
      expect(() => parseCrashAt(value)).toThrow(
        /expected <point>:<n> with a point of run\.started,/,
      );
    },
  );

  it('dies at the n-th arrival at its point only, with the point, n and context', () => {
    const deaths: CrashLine[] = [];
    const hook = createCrashHook({
      crashAt: { point: 'batch.blob.before', n: 2 },
      die: (line) => deaths.push(line),
    });

    hook('batch.blob.before', { batch: 1 });
    hook('batch.tag.before', { batch: 1 });
    hook('batch.tag.before', { batch: 2 });
    hook('batch.blob.before', { batch: 3 });
    hook('batch.blob.before', { batch: 4 });

    expect(deaths).toEqual([
      { msg: 'crash point reached', point: 'batch.blob.before', n: 2, batch: 3 },
    ]);
  });

  it('counts every arrival for the tally, dying or not', () => {
    let tally: Record<string, number> = {};
    const hook = createCrashHook({
      onArrival: (arrivals) => (tally = Object.fromEntries(arrivals)),
      die: () => {
        throw new Error('no crash was asked for');
      },
    });

    hook('blob.writing', {});
    hook('blob.writing', {});
    hook('version.before', {});

    expect(tally).toEqual({ 'blob.writing': 2, 'version.before': 1 });
  });
});
