import { createTagFilter, repositoryTagFilter } from '../../src/config/tag-filter';

const TAGS = [
  'latest',
  '3',
  '3.19',
  '3.19.1',
  '3.20.0-rc1',
  '3.20.0',
  'edge',
  'v1.2.3',
  'V1.2.3',
  '1.0.0_build-7',
];

describe('createTagFilter', () => {
  it('keeps every tag when there are no globs', () => {
    const filter = createTagFilter([], []);

    const kept = TAGS.filter(filter);

    expect(kept).toEqual(TAGS);
  });

  it('applies includes first, then excludes', () => {
    const filter = createTagFilter(['3.*', 'latest'], ['*-rc*', '3.19']);

    const kept = TAGS.filter(filter);

    expect(kept).toEqual(['latest', '3.19.1', '3.20.0']);
  });

  it('applies excludes to every tag when there are no includes', () => {
    const filter = createTagFilter([], ['*-rc*', 'edge']);

    const kept = TAGS.filter(filter);

    expect(kept).toEqual([
      'latest',
      '3',
      '3.19',
      '3.19.1',
      '3.20.0',
      'v1.2.3',
      'V1.2.3',
      '1.0.0_build-7',
    ]);
  });

  it('lets * match dots and treats dots in globs literally', () => {
    const star = createTagFilter(['*'], []);
    const dotted = createTagFilter(['3.1?'], []);

    const keptByStar = ['1.2.3', '.hidden', 'a.b.c.d'].filter(star);
    const keptByDotted = ['3.19', '3x19', '3.1', '3.19.1'].filter(dotted);

    expect(keptByStar).toEqual(['1.2.3', '.hidden', 'a.b.c.d']);
    expect(keptByDotted).toEqual(['3.19']);
  });

  it('matches case-sensitively', () => {
    const filter = createTagFilter(['v*'], []);

    const kept = TAGS.filter(filter);

    expect(kept).toEqual(['v1.2.3']);
  });

  it('supports brace alternatives and character classes', () => {
    const filter = createTagFilter(['{3.19,edge}*', 'v[0-9]*'], []);

    const kept = TAGS.filter(filter);

    expect(kept).toEqual(['3.19', '3.19.1', 'edge', 'v1.2.3']);
  });

  it('handles 128-character tags with capitals, dashes and underscores', () => {
    const long = `Release_2024-${'Ab_-9.'.repeat(19)}x`;
    const debug = `${long.slice(0, 122)}-DEBUG`;
    const filter = createTagFilter(['Release_2024-*'], ['*-DEBUG']);

    const kept = [long, debug, long.toLowerCase()].filter(filter);

    expect(long).toHaveLength(128);
    expect(debug).toHaveLength(128);
    expect(kept).toEqual([long]);
  });

  it('keeps a leading ! literal instead of negating', () => {
    const filter = createTagFilter(['!latest'], []);

    const kept = ['latest', 'edge'].filter(filter);

    expect(kept).toEqual([]);
  });
});

describe('repositoryTagFilter', () => {
  const digest = `sha256:${'c'.repeat(64)}`;

  it('keeps no tags when the includes were only digests', () => {
    const filter = repositoryTagFilter({ include: [], exclude: [], digests: [digest] });

    const kept = TAGS.filter(filter);

    expect(kept).toEqual([]);
  });

  it('uses the globs when there are any beside the digests', () => {
    const filter = repositoryTagFilter({ include: ['3.*'], exclude: ['*-rc*'], digests: [digest] });

    const kept = TAGS.filter(filter);

    expect(kept).toEqual(['3.19', '3.19.1', '3.20.0']);
  });

  it('keeps every tag when nothing was included', () => {
    const filter = repositoryTagFilter({ include: [], exclude: [], digests: [] });

    const kept = TAGS.filter(filter);

    expect(kept).toEqual(TAGS);
  });
});
