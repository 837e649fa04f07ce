import {
  findChallenge,
  parseWwwAuthenticate,
} from '../../../../src/registry/auth/www-authenticate';

describe('parseWwwAuthenticate', () => {
  it('reads a Bearer challenge as docker-registry sends it', () => {
    const header =
      'Bearer realm="https://auth.example/token",service="registry.example",' +
      'scope="repository:library/alpine:pull"';

    const challenges = parseWwwAuthenticate(header);

    expect(challenges).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example/token',
          service: 'registry.example',
          scope: 'repository:library/alpine:pull',
        },
      },
    ]);
  });

  it('keeps commas inside quoted values and unescapes quotes', () => {
    const header = 'Bearer scope="repository:a/b:pull,push", error="say \\"no\\"", x=\\';

    const [challenge] = parseWwwAuthenticate(header);

    expect(challenge?.params['scope']).toBe('repository:a/b:pull,push');
    expect(challenge?.params['error']).toBe('say "no"');
  });

  it('keeps the query a realm carries', () => {
    const header = 'Bearer realm="https://auth.example/token?account=me&x=1",service=reg';

    const [challenge] = parseWwwAuthenticate(header);

    expect(challenge?.params).toEqual({
      realm: 'https://auth.example/token?account=me&x=1',
      service: 'reg',
    });
  });

  it('reads several challenges, scheme and names in any case, with spaces around =', () => {
    const header =
      'BASIC Realm = "Registry Realm", Bearer realm="https://a/t" , ERROR=invalid_token';

    const challenges = parseWwwAuthenticate(header);

    expect(challenges).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      { scheme: 'bearer', params: { realm: 'https://a/t', error: 'invalid_token' } },
    ]);
  });

  it('reads a scheme without params', () => {
    expect(parseWwwAuthenticate('Basic')).toEqual([{ scheme: 'basic', params: {} }]);
  });

  it('stops at an unterminated quoted value, keeping what came before', () => {
    const challenges = parseWwwAuthenticate('Bearer realm="https://a/t", scope="repo');

    expect(challenges).toEqual([{ scheme: 'bearer', params: { realm: 'https://a/t' } }]);
  });

  it('answers nothing for an empty or garbage header', () => {
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate('   ,, ')).toEqual([]);
    expect(parseWwwAuthenticate('="x"')).toEqual([]);
  });
});

describe('findChallenge', () => {
  it('finds a scheme case-insensitively, or nothing', () => {
    const header = 'Basic realm="r", Bearer realm="https://a/t"';

    expect(findChallenge(header, 'Bearer')?.params['realm']).toBe('https://a/t');
    expect(findChallenge(header, 'digest')).toBeUndefined();
    expect(findChallenge(undefined, 'bearer')).toBeUndefined();
  });
});
