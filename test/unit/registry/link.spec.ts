import { nextLink } from '../../../src/registry/link';

const page1 = new URL('https://registry.example:5000/v2/team/app/tags/list');

describe('nextLink', () => {
  it('resolves a relative target against the request URL, keeping its query as sent', () => {
    const header = '</v2/team/app/tags/list?n=100&last=v1.%2Fx&token=a%3Db>; rel="next"';

    const next = nextLink(header, page1);

    expect(next?.href).toBe(
      'https://registry.example:5000/v2/team/app/tags/list?n=100&last=v1.%2Fx&token=a%3Db',
    );
  });

  it('accepts an absolute target on the same origin', () => {
    const header = '<https://registry.example:5000/v2/team/app/tags/list?last=b>; rel="next"';

    expect(nextLink(header, page1)?.search).toBe('?last=b');
  });

  it('resolves a target relative to the current path', () => {
    expect(nextLink('<list?last=c>; rel=next', page1)?.pathname).toBe('/v2/team/app/tags/list');
  });

  it('picks rel="next" among several links and relation lists', () => {
    const header =
      '</v2/team/app/tags/list?last=a>; rel="prev", ' +
      '</v2/team/app/tags/list?last=z>; title="a, b"; rel="last next"';

    expect(nextLink(header, page1)?.search).toBe('?last=z');
  });

  it('reads headers sent more than once', () => {
    const headers = ['</first>; rel="prev"', '</second>; REL="Next"'];

    expect(nextLink(headers, page1)?.pathname).toBe('/second');
  });

  it('gives nothing without a header or a next relation', () => {
    expect(nextLink(undefined, page1)).toBeUndefined();
    expect(nextLink('</v2/x>; rel="prev"', page1)).toBeUndefined();
    expect(nextLink('', page1)).toBeUndefined();
  });

  it.each([
    ['another host', '<https://evil.example/v2/team/app/tags/list?last=a>; rel="next"'],
    ['another port', '<https://registry.example:6000/v2/x>; rel="next"'],
    ['another scheme', '<http://registry.example:5000/v2/x>; rel="next"'],
    ['a protocol-relative URL', '<//evil.example/v2/x>; rel="next"'],
  ])('refuses a target on %s with LINK_REFUSED', (_, header) => {
    expect(() => nextLink(header, page1)).toThrow(
      expect.objectContaining({ code: 'LINK_REFUSED' }),
    );
  });
});
