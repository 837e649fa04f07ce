import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseDuration } from '../../src/config/duration';
import { loadConfig } from '../../src/config/load-config';
import { writeConfig } from './config-files';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('loadConfig', () => {
  it('resolves a config that sets every field', async () => {
    const { dir, file } = await writeConfig(
      `
data_dir: ./state
defaults:
  policy: on_demand
  mirror: true
  interval: 15m
  concurrency: 2
  batch_size: 50
  include: ["v*"]
  exclude: ["*-debug"]
  signatures: { cosign_keys: [keys/cosign.pub], signed_only: true }
registries:
  corp:
    url: https://Registry.Corp.Example:5000
    credentials: { username_env: CORP_USER, password_env: CORP_PASSWORD }
    tls:
      insecure: true
      ca_file: certs/ca.pem
      client_cert: certs/client.pem
      client_key: certs/client.key
repositories:
  - name: team/app
    upstream: corp
    repository: platform/app
    include: ["1.*", "latest", "${DIGEST}"]
    exclude: ["*-rc*"]
    policy: immediate
    mirror: false
    interval: 6h
    concurrency: 16
    batch_size: 500
    credentials: { username_env: APP_USER, password_env: APP_PASSWORD }
    signatures:
      lookaside: http://127.0.0.1:8080/sigstore
      gpg_keys: [keys/release.gpg]
      check_reference: true
  - name: team/defaults
    upstream: corp
  - name: layout/app
    upstream: oci-layout:layouts/app
`,
      {
        'certs/ca.pem': 'not checked beyond being readable',
        'certs/client.pem': 'PEM',
        'certs/client.key': 'PEM',
        'keys/cosign.pub': 'PEM',
        'keys/release.gpg': 'GPG',
        'layouts/app/oci-layout': '{"imageLayoutVersion": "1.0.0"}',
      },
    );
    const env = { CORP_USER: 'corp', CORP_PASSWORD: 'c0rp', APP_USER: 'app', APP_PASSWORD: 'a:pp' };

    const config = await loadConfig(file, env);

    const tls = {
      insecure: true,
      caFile: path.join(dir, 'certs/ca.pem'),
      clientCert: path.join(dir, 'certs/client.pem'),
      clientKey: path.join(dir, 'certs/client.key'),
    };
    const url = 'https://registry.corp.example:5000';
    const signedByDefault = {
      gpgKeys: [],
      cosignKeys: [path.join(dir, 'keys/cosign.pub')],
      checkReference: false,
      signedOnly: true,
    };
    expect(config).toEqual({
      file,
      dataDir: path.join(dir, 'state'),
      repositories: [
        {
          name: 'team/app',
          upstream: {
            kind: 'registry',
            url,
            repository: 'platform/app',
            credentials: { username: 'app', password: 'a:pp' },
            tls,
          },
          include: ['1.*', 'latest'],
          exclude: ['*-rc*'],
          digests: [DIGEST],
          policy: 'immediate',
          mirror: false,
          intervalMs: 6 * 3_600_000,
          concurrency: 16,
          batchSize: 500,
          signatures: {
            lookaside: 'http://127.0.0.1:8080/sigstore',
            gpgKeys: [path.join(dir, 'keys/release.gpg')],
            cosignKeys: [],
            checkReference: true,
            signedOnly: false,
          },
        },
        {
          name: 'team/defaults',
          upstream: {
            kind: 'registry',
            url,
            repository: 'team/defaults',
            credentials: { username: 'corp', password: 'c0rp' },
            tls,
          },
          include: ['v*'],
          exclude: ['*-debug'],
          digests: [],
          policy: 'on_demand',
          mirror: true,
          intervalMs: 15 * 60_000,
          concurrency: 2,
          batchSize: 50,
          signatures: signedByDefault,
        },
        {
          name: 'layout/app',
          upstream: { kind: 'oci-layout', path: path.join(dir, 'layouts/app') },
          include: ['v*'],
          exclude: ['*-debug'],
          digests: [],
          policy: 'on_demand',
          mirror: true,
          intervalMs: 15 * 60_000,
          concurrency: 2,
          batchSize: 50,
          signatures: signedByDefault,
        },
      ],
    });
  });

  it('applies the built-in defaults to a minimal config', async () => {
    const { dir, file } = await writeConfig(
      'repositories:\n  - { name: app, upstream: "http://localhost:5000" }\n',
    );

    const config = await loadConfig(file, {});

    expect(config).toEqual({
      file,
      dataDir: path.join(dir, 'data'),
      repositories: [
        {
          name: 'app',
          upstream: {
            kind: 'registry',
            url: 'http://localhost:5000',
            repository: 'app',
            tls: { insecure: false },
          },
          include: [],
          exclude: [],
          digests: [],
          policy: 'immediate',
          mirror: false,
          intervalMs: 3_600_000,
          concurrency: 8,
          batchSize: 100,
          signatures: { gpgKeys: [], cosignKeys: [], checkReference: false, signedOnly: false },
        },
      ],
    });
  });

  it('loads config.example.yaml once the files it names exist', async () => {
    const example = await readFile(path.join(__dirname, '../../config.example.yaml'), 'utf8');
    const { dir, file } = await writeConfig(example, {
      'certs/internal-ca.pem': 'PEM',
      'keys/release.gpg': 'GPG',
      'keys/cosign.pub': 'PEM',
      'layouts/app/oci-layout': '{"imageLayoutVersion": "1.0.0"}',
    });
    const home = path.join(dir, 'home');
    const auth = Buffer.from('builder:s3cret').toString('base64');
    const dockerConfig = { auths: { 'registry.internal.example:5000': { auth } } };
    await mkdir(path.join(home, '.docker'), { recursive: true });
    await writeFile(path.join(home, '.docker/config.json'), JSON.stringify(dockerConfig));
    const env = { HOME: home, HUB_USER: 'hub', HUB_TOKEN: 'hub-token' };

    const config = await loadConfig(file, env);

    const hub = { username: 'hub', password: 'hub-token' };
    const internalTls = { insecure: false, caFile: path.join(dir, 'certs/internal-ca.pem') };
    const noSignatures = { gpgKeys: [], cosignKeys: [], checkReference: false, signedOnly: false };
    const common = {
      policy: 'immediate',
      mirror: false,
      concurrency: 8,
      batchSize: 100,
      signatures: noSignatures,
    };
    expect(config.dataDir).toBe(path.join(dir, 'data'));
    expect(config.repositories).toEqual([
      {
        ...common,
        name: 'alpine',
        upstream: {
          kind: 'registry',
          url: 'https://registry-1.docker.io',
          repository: 'library/alpine',
          credentials: hub,
          tls: { insecure: false },
        },
        include: ['3.*', 'latest'],
        exclude: ['*-rc*'],
        digests: [],
        intervalMs: 3_600_000,
      },
      {
        name: 'mirror/busybox',
        upstream: {
          kind: 'registry',
          url: 'https://registry-1.docker.io',
          repository: 'library/busybox',
          tls: { insecure: false },
        },
        include: ['1.36.*'],
        exclude: [],
        digests: ['sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7'],
        policy: 'on_demand',
        mirror: true,
        intervalMs: 6 * 3_600_000,
        concurrency: 4,
        batchSize: 500,
        signatures: {
          lookaside: 'https://sigstore.example/signatures',
          gpgKeys: [path.join(dir, 'keys/release.gpg')],
          cosignKeys: [path.join(dir, 'keys/cosign.pub')],
          checkReference: true,
          signedOnly: true,
        },
      },
      {
        ...common,
        name: 'tools/builder',
        upstream: {
          kind: 'registry',
          url: 'https://registry.internal.example:5000',
          repository: 'platform/builder',
          credentials: { username: 'builder', password: 's3cret' },
          tls: internalTls,
          requestsPerSecond: 20,
          maxRetryWaitMs: 120_000,
        },
        include: [],
        exclude: [],
        digests: [],
        intervalMs: 900_000,
      },
      {
        ...common,
        name: 'local/app',
        upstream: { kind: 'oci-layout', path: path.join(dir, 'layouts/app') },
        include: [],
        exclude: [],
        digests: [],
        intervalMs: 30_000,
      },
    ]);
  });
});

describe('loadConfig path resolution', () => {
  it('takes relative paths from the config file directory and ~ from HOME', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'config-paths-'));
    for (const dir of ['etc', 'layouts/a', 'srv/layouts/b', 'home/layouts/c']) {
      await mkdir(path.join(base, dir), { recursive: true });
    }
    const file = path.join(base, 'etc', 'config.yaml');
    await writeFile(
      file,
      `
data_dir: ~/sync-data
repositories:
  - { name: a, upstream: "oci-layout:../layouts/a" }
  - { name: b, upstream: "oci-layout:${base}/srv/layouts/b" }
  - { name: c, upstream: "oci-layout:~/layouts/c" }
`,
    );

    const config = await loadConfig(file, { HOME: path.join(base, 'home') });

    expect(config.dataDir).toBe(path.join(base, 'home/sync-data'));
    expect(config.repositories.map((r) => r.upstream)).toEqual([
      { kind: 'oci-layout', path: path.join(base, 'layouts/a') },
      { kind: 'oci-layout', path: path.join(base, 'srv/layouts/b') },
      { kind: 'oci-layout', path: path.join(base, 'home/layouts/c') },
    ]);
  });
});

describe('loadConfig Docker Hub names', () => {
  const HUB = 'https://registry-1.docker.io';

  it.each([
    [HUB, 'alpine', HUB, 'library/alpine'],
    ['https://docker.io', 'alpine', HUB, 'library/alpine'],
    ['https://index.docker.io', 'alpine', 'https://index.docker.io', 'library/alpine'],
    [HUB, 'bitnami/redis', HUB, 'bitnami/redis'],
    ['https://quay.io', 'alpine', 'https://quay.io', 'alpine'],
  ])('upstream %s, repository %s: %s %s', async (upstream, repository, url, expected) => {
    const { file } = await writeConfig(
      `repositories:\n  - { name: local, upstream: "${upstream}", repository: ${repository} }\n`,
    );

    const config = await loadConfig(file, {});

    expect(config.repositories[0]?.upstream).toEqual({
      kind: 'registry',
      url,
      repository: expected,
      tls: { insecure: false },
    });
  });

  it('adds library/ to a local name used as the upstream repository', async () => {
    const { file } = await writeConfig(
      'repositories:\n  - { name: alpine, upstream: "https://docker.io" }\n',
    );

    const config = await loadConfig(file, {});

    expect(config.repositories[0]?.name).toBe('alpine');
    expect(config.repositories[0]?.upstream).toMatchObject({ repository: 'library/alpine' });
  });
});

describe('loadConfig intervals', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['90', 90_000],
    ['"90"', 90_000],
    ['24d', 2_073_600_000],
  ])('interval: %s is %i ms', async (interval, ms) => {
    const { file } = await writeConfig(
      `repositories:\n  - { name: a, upstream: "http://localhost:5000", interval: ${interval} }\n`,
    );

    const config = await loadConfig(file, {});

    expect(config.repositories[0]?.intervalMs).toBe(ms);
  });
});

describe('parseDuration', () => {
  it.each([[0], ['0s'], ['25d'], ['1.5h'], ['1h30m'], ['h'], ['-5'], [1.5], [''], [true], [null]])(
    'refuses %p',
    (value) => {
      const ms = parseDuration(value);

      expect(ms).toBeUndefined();
    },
  );
});
