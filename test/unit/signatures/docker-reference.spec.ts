import { parseDockerReference } from '../../../src/signatures/docker-reference';

describe('parseDockerReference', () => {
  it.each([
    ['busybox', { repository: 'docker.io/library/busybox' }],
    ['busybox:latest', { repository: 'docker.io/library/busybox', tag: 'latest' }],
    ['testing/manifest', { repository: 'docker.io/testing/manifest' }],
    ['index.docker.io/library/busybox', { repository: 'docker.io/library/busybox' }],
    ['localhost/app', { repository: 'localhost/app' }],
    ['Registry.Example/app', { repository: 'registry.example/app' }],
    [
      '192.168.64.2:5000/cosign-signed-single-sample',
      { repository: '192.168.64.2:5000/cosign-signed-single-sample' },
    ],
    ['[::1]:5000/a/b:v1', { repository: '[::1]:5000/a/b', tag: 'v1' }],
    [
      `quay.io/a/b:v1@sha256:${'0'.repeat(64)}`,
      { repository: 'quay.io/a/b', tag: 'v1', digest: `sha256:${'0'.repeat(64)}` },
    ],
  ])('normalizes %s', (value, expected) => {
    expect(parseDockerReference(value)).toEqual(expected);
  });

  it.each([
    'UPPERCASEISINVALID',
    'host.example/UPPER',
    'a//b',
    'a/b:',
    'a/b:-tag',
    'a/b@sha256',
    `${'a'.repeat(256)}`,
    'bad_host.example:x/a',
    '',
  ])('refuses %j', (value) => {
    expect(parseDockerReference(value)).toBeUndefined();
  });
});
