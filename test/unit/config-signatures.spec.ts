import path from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { writeConfig } from './config-files';

describe('loadConfig signatures', () => {
  it('names a signature key it cannot read by its field path', async () => {
    const { dir, file } = await writeConfig(
      'repositories:\n' +
        '  - name: app\n' +
        '    upstream: http://localhost:5000\n' +
        '    signatures: { gpg_keys: [keys/missing.gpg] }\n',
    );

    const loading = loadConfig(file, {});

    await expect(loading).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `${file}: repositories[0].signatures.gpg_keys[0]: cannot read ${path.join(dir, 'keys/missing.gpg')} (ENOENT)`,
    });
  });

  it('refuses a lookaside that is not an http(s) URL', async () => {
    const { file } = await writeConfig(
      'repositories:\n' +
        '  - name: app\n' +
        '    upstream: http://localhost:5000\n' +
        '    signatures: { lookaside: "file:///srv/sigstore" }\n',
    );

    const loading = loadConfig(file, {});

    await expect(loading).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `${file}: repositories[0].signatures.lookaside: expected an http(s) URL`,
    });
  });

  it('refuses a lookaside URL that carries a password, without quoting it', async () => {
    const { file } = await writeConfig(
      'repositories:\n' +
        '  - name: app\n' +
        '    upstream: http://localhost:5000\n' +
        '    signatures: { lookaside: "https://sig:hunter2-lookaside@sigstore.example/s" }\n',
    );

    const error: unknown = await loadConfig(file, {}).catch((err: unknown) => err);

    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message:
        `${file}: repositories[0].signatures.lookaside: credentials are not accepted in the ` +
        'config file; name environment variables with username_env and password_env, or a ' +
        'Docker config file with docker_config',
    });
    expect(JSON.stringify(error)).not.toContain('hunter2-lookaside');
  });
});

describe('loadConfig tls', () => {
  it.each(['ca_file', 'client_cert', 'client_key'])(
    'names a %s it cannot read by its field path',
    async (key) => {
      const files = { ca_file: 'ca.pem', client_cert: 'client.pem', client_key: 'client.key' };
      const present = Object.entries(files).filter(([name]) => name !== key);
      const tls = Object.entries(files)
        .map(([name, value]) => `${name}: certs/${value}`)
        .join(', ');
      const { dir, file } = await writeConfig(
        `registries:\n  corp: { url: "https://corp.example", tls: { ${tls} } }\n` +
          'repositories:\n  - { name: app, upstream: corp }\n',
        Object.fromEntries(present.map(([, value]) => [`certs/${value}`, 'PEM'])),
      );

      const loading = loadConfig(file, {});

      const missing = path.join(dir, 'certs', files[key as keyof typeof files]);
      await expect(loading).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: `${file}: registries.corp.tls.${key}: cannot read ${missing} (ENOENT)`,
      });
    },
  );
});
