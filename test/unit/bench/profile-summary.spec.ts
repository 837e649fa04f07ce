import { areaOf, summarize } from '../../../bench/profile-summary';

describe('areaOf', () => {
  it.each([
    ['file:///w/node_modules/axios/dist/node/axios.cjs', 'request', 'axios'],
    ['file:///w/node_modules/@electric-sql/pglite/dist/index.cjs', 'query', '@electric-sql/pglite'],
    ['file:///w/dist/src/storage/blob-store.js', 'write', 'src/storage/blob-store'],
    ['node:internal/fs/promises', 'open', 'node:internal'],
    ['', 'openFileHandle', '(native)'],
    ['', '(garbage collector)', '(garbage collector)'],
  ])('%s (%s) is %s', (url, functionName, area) => {
    expect(areaOf(url, functionName)).toBe(area);
  });
});

describe('summarize', () => {
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
  // root -> write (blob-store) -> open (node:fs) ; root -> idle
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 4] },
      {
        id: 2,
        callFrame: frame('write', 'file:///w/dist/src/storage/blob-store.js'),
        children: [3],
      },
      { id: 3, callFrame: frame('open', 'node:internal/fs/promises') },
      { id: 4, callFrame: frame('(idle)', '') },
    ],
    samples: [2, 3, 3, 4],
    timeDeltas: [1_000, 2_000, 3_000, 4_000],
  };

  it('adds self time by function and package, and inclusive time per own file', () => {
    const lines = summarize(profile).split('\n');

    expect(lines[0]).toBe('sampled 0.01 s');
    expect(lines).toContain('      5 ms  50.0%  open node:internal:10');
    expect(lines).toContain('      1 ms  10.0%  write src/storage/blob-store:10');
    expect(lines).toContain('      4 ms  40.0%  (idle)');
    const own = lines.indexOf("inclusive time of the project's own files");
    expect(lines[own + 1]).toBe('      6 ms  60.0%  src/storage/blob-store');
  });
});
