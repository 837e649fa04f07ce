import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DURATION_EXPECTED } from '../../src/config/duration';
import { loadConfig } from '../../src/config/load-config';
import { SyncError } from '../../src/errors';

async function writeConfig(yaml: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'config-errors-spec-'));
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, yaml);
  return file;
}

/** Loads a config that must fail, and returns the error and the file it was written to. */
async function loadError(yaml: string, env: Record<string, string> = {}) {
  const file = await writeConfig(yaml);
  const error: unknown = await loadConfig(file, env).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof SyncError)) throw new Error(`expected a SyncError, got ${String(error)}`);
  return { file, error };
}

/** One repository on a local registry, with `extra` added to its mapping. */
function oneRepository(extra: string): string {
  return `repositories:\n  - { name: app, upstream: "http://localhost:5000", ${extra} }\n`;
}

describe('loadConfig errors', () => {
  it('names the file and the field path, with code and data', async () => {
    const yaml = `
repositories:
  - { name: a, upstream: "oci-layout:a" }
  - { name: b, upstream: "oci-layout:b" }
  - { name: c, upstream: "oci-layout:c", policy: fast }
`;

    const { file, error } = await loadError(yaml);

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.data).toEqual({ file, path: 'repositories[2].policy' });
    expect(error.message).toBe(
      `${file}: repositories[2].policy: expected one of immediate, on_demand, got "fast"`,
    );
  });

  it('collects every problem into one message, one line each', async () => {
    const yaml = `
data-dir: ./data
repositories:
  - name: App
    upstream: 42
    mirror: yes
    concurrency: 0
`;

    const { file, error } = await loadError(yaml);

    expect(error.data).toEqual({ file, path: 'repositories[0].name' });
    expect(error.message.split('\n')).toEqual([
      `${file}: repositories[0].name: expected a repository name (lowercase letters and digits, ` +
        'separated by ".", "_", "__", "-" or "/"), got "App"',
      `${file}: repositories[0].upstream: expected a string, got 42`,
      `${file}: repositories[0].mirror: expected true or false, got "yes"`,
      `${file}: repositories[0].concurrency: expected a whole number of at least 1, got 0`,
      `${file}: data-dir: unknown key`,
    ]);
  });

  it.each([
    ['an unknown key', oneRepository('tgas: [latest]'), 'repositories[0].tgas: unknown key'],
    [
      'a missing key',
      'repositories:\n  - { name: app }\n',
      'repositories[0].upstream: missing; expected a string',
    ],
    [
      'an empty value',
      'defaults:\nrepositories:\n  - { name: app, upstream: "oci-layout:x" }\n',
      'defaults: expected a mapping, got an empty value',
    ],
    ['no repositories', 'repositories: []\n', 'repositories: expected at least 1 entry'],
    ['a list at the top', '- a\n', 'expected a mapping, got a list'],
    ['an empty file', '# nothing yet\n', 'the file is empty; expected a repositories list'],
    [
      'a bad interval',
      oneRepository('interval: 2 hours'),
      `repositories[0].interval: ${DURATION_EXPECTED}, got "2 hours"`,
    ],
    [
      'an interval past what timers hold',
      oneRepository('interval: 30d'),
      `repositories[0].interval: ${DURATION_EXPECTED}, got "30d"`,
    ],
    [
      'a fractional batch size',
      oneRepository('batch_size: 2.5'),
      'repositories[0].batch_size: expected a whole number of at least 1, got 2.5',
    ],
    [
      'an include that is neither glob nor digest',
      oneRepository('include: ["sha256:abc"]'),
      'repositories[0].include[0]: expected a digest such as sha256:<64 lowercase hex digits>, ' +
        'got "sha256:abc"',
    ],
    [
      'a digest under exclude',
      oneRepository(`exclude: ["sha256:${'0'.repeat(64)}"]`),
      'repositories[0].exclude[0]: expected a tag glob (digests can only be included), ' +
        `got "sha256:${'0'.repeat(64)}"`,
    ],
    [
      'a negated include',
      oneRepository('include: ["!*-rc*"]'),
      'repositories[0].include[0]: expected a tag glob not starting with "!" ' +
        '(list the tags to leave out under exclude), got "!*-rc*"',
    ],
    [
      'an upstream of no known form',
      'registries:\n  hub: { url: "https://registry-1.docker.io" }\n' +
        'repositories:\n  - { name: app, upstream: hbu }\n',
      'repositories[0].upstream: expected an http(s) URL, oci-layout:<path> or a name under ' +
        'registries (hub), got "hbu"',
    ],
    [
      'an ftp upstream',
      'repositories:\n  - { name: app, upstream: "ftp://example.com" }\n',
      'repositories[0].upstream: expected an http or https URL, got "ftp://example.com"',
    ],
    [
      'an upstream URL with a path',
      'repositories:\n  - { name: app, upstream: "https://example.com/v2/" }\n',
      'repositories[0].upstream: expected a URL without path, query or fragment (the registry ' +
        'API is always at /v2/ on the host), got "https://example.com/v2/"',
    ],
    [
      'a registry URL without a host',
      'registries:\n  bad: { url: "https://" }\nrepositories:\n  - { name: a, upstream: bad }\n',
      'registries.bad.url: expected a URL such as https://registry.example.com, got "https://"',
    ],
    [
      'an empty oci-layout path',
      'repositories:\n  - { name: app, upstream: "oci-layout:" }\n',
      'repositories[0].upstream: expected a path after oci-layout:',
    ],
    [
      'credentials on an oci-layout upstream',
      'repositories:\n  - name: app\n    upstream: "oci-layout:."\n' +
        '    credentials: { docker_config: ./config.json }\n',
      'repositories[0].credentials: not used with an oci-layout upstream',
    ],
    [
      'half of an environment pair',
      oneRepository('credentials: { username_env: HUB_USER }'),
      'repositories[0].credentials.password_env: missing; expected it next to username_env',
    ],
    [
      'both kinds of credentials',
      oneRepository('credentials: { username_env: U, password_env: P, docker_config: ./c.json }'),
      'repositories[0].credentials: expected username_env and password_env, or docker_config, ' +
        'not both',
    ],
    [
      'a client certificate without its key',
      'registries:\n  corp: { url: "https://corp.example", tls: { client_cert: ./c.pem } }\n' +
        'repositories:\n  - { name: a, upstream: corp }\n',
      'registries.corp.tls.client_key: missing; expected it next to client_cert',
    ],
    [
      'a client key without its certificate',
      'registries:\n  corp: { url: "https://corp.example", tls: { client_key: ./c.key } }\n' +
        'repositories:\n  - { name: a, upstream: corp }\n',
      'registries.corp.tls.client_cert: missing; expected it next to client_key',
    ],
  ])('reports %s', async (_case, yaml, expected) => {
    const { file, error } = await loadError(yaml);

    expect(error.message).toBe(`${file}: ${expected}`);
  });

  it('reports YAML syntax errors with line and column', async () => {
    const yaml = 'repositories:\n  - name: app\n    upstream: [oci-layout:x\n  - name: b\n';

    const { file, error } = await loadError(yaml);

    expect(error.message).toBe(
      `${file}: line 4, column 3: Flow sequence in block collection must be sufficiently ` +
        'indented and end with a ]',
    );
  });

  it('reports a repeated key instead of keeping the last one', async () => {
    const yaml = 'repositories:\n  - name: app\n    upstream: "oci-layout:x"\n    name: other\n';

    const { file, error } = await loadError(yaml);

    expect(error.message).toBe(`${file}: line 4, column 5: Map keys must be unique`);
  });

  it('reports a file that cannot be read', async () => {
    const file = path.join(os.tmpdir(), 'config-errors-spec-missing', 'config.yaml');

    const attempt = loadConfig(file, {});

    await expect(attempt).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `${file}: cannot read the config file (ENOENT)`,
    });
  });

  it('reports a repository name used twice', async () => {
    const yaml = `
repositories:
  - { name: app, upstream: "oci-layout:." }
  - { name: other, upstream: "oci-layout:." }
  - { name: app, upstream: "oci-layout:." }
`;

    const { file, error } = await loadError(yaml);

    expect(error.message).toBe(
      `${file}: repositories[2].name: "app" is already the name of repositories[0]`,
    );
  });
});

describe('loadConfig literal secrets', () => {
  const HINT =
    'credentials are not accepted in the config file; name environment variables with ' +
    'username_env and password_env, or a Docker config file with docker_config';

  it.each([
    ['registries.hub.credentials.password', 'credentials: { password: hunter2 }'],
    ['registries.hub.credentials.auth', 'credentials: { auth: aHViOmh1bnRlcjI= }'],
    ['registries.hub.token', 'token: hunter2'],
  ])('refuses %s and points at password_env and docker_config', async (field, yaml) => {
    const hub = `  hub:\n    url: "https://registry-1.docker.io"\n    ${yaml}\n`;
    const repositories = 'repositories:\n  - { name: a, upstream: hub }\n';

    const { file, error } = await loadError(`registries:\n${hub}${repositories}`);

    expect(error.message).toBe(`${file}: ${field}: ${HINT}`);
  });

  it('refuses a password in the upstream URL without repeating it', async () => {
    const yaml = 'repositories:\n  - { name: app, upstream: "https://me:hunter2@example.com" }\n';

    const { file, error } = await loadError(yaml);

    expect(error.message).toBe(`${file}: repositories[0].upstream: ${HINT}`);
  });

  it('does not quote a value written under credentials', async () => {
    const yaml = oneRepository('credentials: { username_env: me, password_env: "hunter2!" }');

    const { file, error } = await loadError(yaml);

    expect(error.message).toBe(
      `${file}: repositories[0].credentials.password_env: expected an environment variable name ` +
        '(letters, digits and _)',
    );
  });
});
