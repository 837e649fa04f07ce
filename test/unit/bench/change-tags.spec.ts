import { changedCount, pickSpread } from '../../../bench/change-tags';

describe('changedCount', () => {
  it.each([
    [100, 1],
    [1000, 10],
    [5000, 50],
    [40, 1],
    [1, 1],
  ])('changes %i tags -> %i', (total, changed) => {
    expect(changedCount(total)).toBe(changed);
  });
});

describe('pickSpread', () => {
  it('picks from the middle of each equal share of the sorted tags', () => {
    const tags = Array.from({ length: 1000 }, (_, i) => `t${String(i + 1).padStart(4, '0')}`);

    const picked = pickSpread([...tags].reverse(), 10);

    expect(picked).toEqual([
      't0051',
      't0151',
      't0251',
      't0351',
      't0451',
      't0551',
      't0651',
      't0751',
      't0851',
      't0951',
    ]);
  });
});
