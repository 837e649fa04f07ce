import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import type { RegistryUpstreamConfig } from '../../src/config/sync-config';

/** A fresh directory with `config.yaml` and, when given, a Docker `docker.json` beside it. */
async function writeConfig(yaml: string, dockerConfig?: unknown) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'config-credentials-spec-'));
  if (dockerConfig !== undefined) {
    const text = typeof dockerConfig === 'string' ? dockerConfig : JSON.stringify(dockerConfig);
    await writeFile(path.join(dir, 'docker.json'), text);
  }
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, yaml);
  return { dir, file };
}

async function credentialsOf(file: string, env: Record<string, string> = {}) {
  const config = await loadConfig(file, env);
  return config.repositories.map((r) => (r.upstream as RegistryUpstreamConfig).credentials);
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

const USES_DOCKER_CONFIG = `
repositories:
  - name: app
    upstream: "https://registry.example.com:5000"
    credentials: { docker_config: ./docker.json }
`;

describe('loadConfig credentials from the environment', () => {
  const yaml = `
defaults:
  credentials: { username_env: DEFAULT_USER, password_env: DEFAULT_PASSWORD }
registries:
  corp:
    url: https://corp.example
    credentials: { username_env: CORP_USER, password_env: CORP_PASSWORD }
repositories:
  - name: own
    upstream: corp
    credentials: { username_env: OWN_USER, password_env: OWN_PASSWORD }
  - { name: registry, upstream: corp }
  - { name: fallback, upstream: "https://other.example" }
`;

  it('takes the repository block, then the registry one, then the default', async () => {
    const { file } = await writeConfig(yaml);
    const env = {
      OWN_USER: 'own',
      OWN_PASSWORD: 'own-pw',
      CORP_USER: 'corp',
      CORP_PASSWORD: 'corp-pw',
      DEFAULT_USER: 'default',
      DEFAULT_PASSWORD: 'default-pw',
    };

    const credentials = await credentialsOf(file, env);

    expect(credentials).toEqual([
      { username: 'own', password: 'own-pw' },
      { username: 'corp', password: 'corp-pw' },
      { username: 'default', password: 'default-pw' },
    ]);
  });

  it('names each unset or empty variable, where it was named, and no value', async () => {
    const { file } = await writeConfig(yaml);
    const env = { OWN_USER: 'own', OWN_PASSWORD: 'own-pw', CORP_USER: 'corp', CORP_PASSWORD: '' };

    const attempt = loadConfig(file, env);

    await expect(attempt).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: [
        `${file}: registries.corp.credentials.password_env: environment variable CORP_PASSWORD ` +
          'is empty',
        `${file}: defaults.credentials.username_env: environment variable DEFAULT_USER is not set`,
        `${file}: defaults.credentials.password_env: environment variable DEFAULT_PASSWORD is ` +
          'not set',
      ].join('\n'),
    });
  });

  it('does not read the variables of a registry no repository uses', async () => {
    const { file } = await writeConfig(`
registries:
  unused:
    url: https://unused.example
    credentials: { username_env: UNUSED_USER, password_env: UNUSED_PASSWORD }
repositories:
  - { name: app, upstream: "https://registry.example.com" }
`);

    const credentials = await credentialsOf(file);

    expect(credentials).toEqual([undefined]);
  });
});

describe('loadConfig credentials from a Docker config.json', () => {
  it('decodes a base64 auth, keeping colons in the password', async () => {
    const auths = { 'registry.example.com:5000': { auth: base64('robot$ci:pa:ss') } };
    const { file } = await writeConfig(USES_DOCKER_CONFIG, { auths });

    const credentials = await credentialsOf(file);

    expect(credentials).toEqual([{ username: 'robot$ci', password: 'pa:ss' }]);
  });

  it('reads username and password, with the key written as a URL', async () => {
    const entry = { username: 'ci', password: 'secret', email: 'ci@example.com' };
    const auths = { 'https://registry.example.com:5000/v2/': entry };
    const { file } = await writeConfig(USES_DOCKER_CONFIG, { auths, credsStore: 'desktop' });

    const credentials = await credentialsOf(file);

    expect(credentials).toEqual([{ username: 'ci', password: 'secret' }]);
  });

  it('matches https://index.docker.io/v1/ to every Docker Hub upstream', async () => {
    const auths = { 'https://index.docker.io/v1/': { auth: base64('hubuser:hubtoken') } };
    const { file } = await writeConfig(
      `
defaults:
  credentials: { docker_config: docker.json }
repositories:
  - { name: alpine, upstream: "https://registry-1.docker.io" }
  - { name: busybox, upstream: "https://docker.io" }
  - { name: nginx, upstream: "https://index.docker.io" }
`,
      { auths },
    );

    const credentials = await credentialsOf(file);

    const hub = { username: 'hubuser', password: 'hubtoken' };
    expect(credentials).toEqual([hub, hub, hub]);
  });

  it('leaves a host the file does not list anonymous when the block is a default', async () => {
    const auths = { 'registry.example.com': { auth: base64('a:b') } };
    const { file } = await writeConfig(
      `
defaults:
  credentials: { docker_config: ./docker.json }
repositories:
  - { name: app, upstream: "https://public.example" }
`,
      { auths },
    );

    const credentials = await credentialsOf(file);

    expect(credentials).toEqual([undefined]);
  });

  it.each([
    [
      'no entry for the host',
      { auths: { 'registry.example.com': { auth: base64('a:b') } } },
      (f: string) => `Docker config file ${f} has no auths entry for registry.example.com:5000`,
    ],
    [
      'an auth without a colon',
      { auths: { 'registry.example.com:5000': { auth: base64('only-a-token') } } },
      (f: string) =>
        `the auths entry "registry.example.com:5000" in ${f} has an auth that is not base64 ` +
        'of user:password',
    ],
    [
      'an entry left empty by a credential helper',
      { auths: { 'registry.example.com:5000': {} }, credsStore: 'osxkeychain' },
      (f: string) =>
        `the auths entry "registry.example.com:5000" in ${f} has no auth or username and ` +
        'password (credential helpers are not supported)',
    ],
    [
      'a file that is not JSON',
      '{"auths": {"registry.example.com:5000": {"auth": "c2VjcmV0"}',
      (f: string) => `Docker config file ${f} is not valid JSON`,
    ],
    ['a missing file', undefined, (f: string) => `cannot read Docker config file ${f} (ENOENT)`],
  ])('reports %s at the docker_config field', async (_case, dockerConfig, expected) => {
    const { dir, file } = await writeConfig(USES_DOCKER_CONFIG, dockerConfig);

    const attempt = loadConfig(file, {});

    const message = expected(path.join(dir, 'docker.json'));
    await expect(attempt).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `${file}: repositories[0].credentials.docker_config: ${message}`,
    });
  });
});
