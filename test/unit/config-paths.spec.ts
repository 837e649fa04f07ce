import path from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { SyncError } from '../../src/errors';
import { writeConfig } from './config-files';

/** Loads a config that must fail and returns its message lines, `<file>: ` taken off. */
async function problems(file: string): Promise<string[]> {
  const error: unknown = await loadConfig(file, {}).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof SyncError)) throw new Error(`expected a SyncError, got ${String(error)}`);
  expect(error.code).toBe('CONFIG_INVALID');
  return error.message.split('\n').map((line) => line.replace(`${file}: `, ''));
}

/**
 * Paths in the config are resolved against the config file's directory and checked when it is
 * loaded: each problem names its field and the path it was resolved to.
 */
describe('loadConfig path checks', () => {
  it('names each path that is missing or of the wrong kind, by field and resolved path', async () => {
    const { dir, file } = await writeConfig(
      `
data_dir: ./state-file
registries:
  corp:
    url: https://registry.corp.example
    tls: { ca_file: certs, client_cert: certs/client.pem, client_key: certs/missing.key }
    credentials: { docker_config: ./docker }
repositories:
  - { name: a, upstream: "oci-layout:./layouts/missing" }
  - { name: b, upstream: "oci-layout:./layouts/file" }
  - name: c
    upstream: corp
    signatures: { gpg_keys: [keys], cosign_keys: [keys/cosign.pub] }
`,
      {
        'state-file': 'not a directory',
        'layouts/file': 'not a directory',
        'certs/client.pem': 'PEM',
        'keys/cosign.pub': 'PEM',
        'docker/config.json': '{}',
      },
    );
    const at = (relative: string) => path.join(dir, relative);

    expect(await problems(file)).toEqual([
      `repositories[0].upstream: cannot read ${at('layouts/missing')} (ENOENT)`,
      `repositories[1].upstream: ${at('layouts/file')} is not a directory`,
      `registries.corp.credentials.docker_config: cannot read Docker config file ${at('docker')} (EISDIR)`,
      `registries.corp.tls.ca_file: ${at('certs')} is not a file`,
      `registries.corp.tls.client_key: cannot read ${at('certs/missing.key')} (ENOENT)`,
      `repositories[2].signatures.gpg_keys[0]: ${at('keys')} is not a file`,
      `data_dir: ${at('state-file')} is not a directory`,
    ]);
  });

  it('accepts a data_dir that does not exist yet and a layout that does', async () => {
    const { dir, file } = await writeConfig(
      'data_dir: ./not-yet\nrepositories:\n  - { name: a, upstream: "oci-layout:./layout" }\n',
      { 'layout/index.json': '{}' },
    );

    const config = await loadConfig(file, {});

    expect(config.dataDir).toBe(path.join(dir, 'not-yet'));
    expect(config.repositories[0]?.upstream).toEqual({
      kind: 'oci-layout',
      path: path.join(dir, 'layout'),
    });
  });
});
