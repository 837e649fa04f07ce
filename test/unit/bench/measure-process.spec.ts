import { parseTimeReport } from '../../../bench/measure-process';

describe('parseTimeReport', () => {
  it('reads wall time, peak RSS and CPU seconds from a "%e %M %U %S" report', () => {
    const report = parseTimeReport('12.34 141140 8.91 1.02\n');

    expect(report).toEqual({ wallSeconds: 12.34, peakRssKb: 141140, cpuSeconds: 9.93 });
  });

  it('skips the line GNU time puts first when the command failed', () => {
    const report = parseTimeReport('Command exited with non-zero status 2\n0.41 52000 0.30 0.05\n');

    expect(report).toEqual({ wallSeconds: 0.41, peakRssKb: 52000, cpuSeconds: 0.35 });
  });

  it('refuses a report in another format', () => {
    expect(() => parseTimeReport('0:12.34 141140')).toThrow(
      'not a GNU time "%e %M %U %S" report: 0:12.34 141140',
    );
  });
});
