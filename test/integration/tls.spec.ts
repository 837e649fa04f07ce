import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { buildRepositorySync } from '../../src/app/build-repository-sync';
import { loadConfig } from '../../src/config/load-config';
import { RegistryClient } from '../../src/registry/registry-client';
import { readTlsFiles, type TlsFiles } from '../../src/registry/tls-options';
import { generateRepository } from '../harness/image-generator';
import { LogLines } from '../harness/log-lines';
import type { RunningRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';
import { makeTestCerts, type TestCerts } from '../harness/tls/make-certs';
import { pushOverHttps } from '../harness/tls/push-over-https';
import { startTlsRegistry } from '../harness/tls/start-tls-registry';

const REPOSITORY = 'tls/app';
const TAGS = ['1.0', '1.1'];

describe('syncing from a registry served over TLS', () => {
  let certs: TestCerts;
  let rig: SyncRig;

  beforeAll(async () => {
    certs = await makeTestCerts();
    rig = await createSyncRig('postgres');
  });

  afterAll(async () => {
    await rig?.close();
    if (certs) await rm(certs.dir, { recursive: true, force: true });
  });

  /** Syncs REPOSITORY under its own local name through a client with `tls`. */
  async function syncWith(
    registry: RunningRegistry,
    name: string,
    tls: TlsFiles,
    registryUrl = registry.url,
  ) {
    const upstream = new RegistryClient({
      registryUrl,
      repository: REPOSITORY,
      tls: readTlsFiles(tls),
    });
    try {
      return await rig.sync({ name, repository: REPOSITORY, upstream });
    } finally {
      upstream.close();
    }
  }

  async function pushImages(registry: RunningRegistry) {
    const generated = await generateRepository({ tags: TAGS, seed: 'tls' });
    await pushOverHttps(registry.url, REPOSITORY, generated, certs);
  }

  describe('with a server certificate only', () => {
    let registry: RunningRegistry;

    beforeAll(async () => {
      registry = await startTlsRegistry(certs);
      await pushImages(registry);
    });

    afterAll(async () => {
      await registry?.stop();
    });

    it('fails with a certificate problem when the CA is not trusted', async () => {
      const summary = await syncWith(registry, 'tls/untrusted', { insecure: false });

      expect(summary.result).toBe('failed');
      expect(summary.error).toMatchObject({ code: 'TLS_FAILED' });
      expect(summary.error?.['message']).toContain('certificate problem');
      expect(summary.error?.['message']).toContain('not trusted (set tls.ca_file');
    });

    it('fails with a certificate problem when the certificate names another host', async () => {
      const byName = registry.url.replace('127.0.0.1', 'localhost');

      const summary = await syncWith(
        registry,
        'tls/other-host',
        { insecure: false, caFile: certs.caCert },
        byName,
      );

      expect(summary.result).toBe('failed');
      expect(summary.error).toMatchObject({ code: 'TLS_FAILED' });
      expect(summary.error?.['message']).toContain('does not name this host');
      expect(summary.error?.['message']).toContain('localhost');
    });

    it('syncs when ca_file names the CA', async () => {
      const summary = await syncWith(registry, 'tls/trusted', {
        insecure: false,
        caFile: certs.caCert,
      });

      expect(summary.result).toBe('success');
      expect(summary.tags).toBe(TAGS.length);
    });

    it('syncs without the CA when insecure is set', async () => {
      const summary = await syncWith(registry, 'tls/insecure', { insecure: true });

      expect(summary.result).toBe('success');
      expect(summary.tags).toBe(TAGS.length);
    });

    it('applies tls from the config file, warning about insecure', async () => {
      const configFile = join(certs.dir, 'config.yaml');
      await writeFile(
        configFile,
        [
          'registries:',
          `  secure: { url: "${registry.url}", tls: { ca_file: ca.pem } }`,
          `  lax: { url: "${registry.url}", tls: { insecure: true } }`,
          'repositories:',
          `  - { name: tls/config-secure, upstream: secure, repository: ${REPOSITORY} }`,
          `  - { name: tls/config-lax, upstream: lax, repository: ${REPOSITORY} }`,
          '',
        ].join('\n'),
      );
      const stream = new PassThrough();
      const logs = new LogLines(stream);
      const log = pino(stream);
      const config = await loadConfig(configFile, {});

      const summaries = [];
      for (const repository of config.repositories) {
        const sync = buildRepositorySync(repository, { log });
        try {
          summaries.push(await rig.sync({ ...sync, repository: REPOSITORY }));
        } finally {
          sync.close();
        }
      }

      expect(summaries.map((s) => [s.repository, s.result])).toEqual([
        ['tls/config-secure', 'success'],
        ['tls/config-lax', 'success'],
      ]);
      const warned = await logs.waitFor((line) => line.msg?.startsWith('tls.insecure') === true);
      expect(warned).toMatchObject({ level: 40, repository: 'tls/config-lax' });
    });
  });

  describe('with client certificates required', () => {
    let registry: RunningRegistry;

    beforeAll(async () => {
      registry = await startTlsRegistry(certs, { requireClientCert: true });
      await pushImages(registry);
    });

    afterAll(async () => {
      await registry?.stop();
    });

    it('fails with a certificate problem when no client certificate is given', async () => {
      const summary = await syncWith(registry, 'mtls/anonymous', {
        insecure: false,
        caFile: certs.caCert,
      });

      expect(summary.result).toBe('failed');
      expect(summary.error).toMatchObject({ code: 'TLS_FAILED' });
      expect(summary.error?.['message']).toContain('certificate problem');
      expect(summary.error?.['message']).toContain('set tls.client_cert and tls.client_key');
    });

    /** A config naming copies of the client certificate and key, loaded. */
    async function loadClientConfig() {
      await copyFile(certs.clientCert, join(certs.dir, 'copy-client.pem'));
      await copyFile(certs.clientKey, join(certs.dir, 'copy-client.key'));
      const configFile = join(certs.dir, 'mtls-config.yaml');
      const tls = '{ ca_file: ca.pem, client_cert: copy-client.pem, client_key: copy-client.key }';
      await writeFile(
        configFile,
        `registries:\n  mtls: { url: "${registry.url}", tls: ${tls} }\n` +
          `repositories:\n  - { name: mtls/config, upstream: mtls, repository: ${REPOSITORY} }\n`,
      );
      const config = await loadConfig(configFile, {});
      return config.repositories[0]!;
    }

    it('applies client_cert and client_key from the config file', async () => {
      const repository = await loadClientConfig();
      const sync = buildRepositorySync(repository, { log: pino({ level: 'silent' }) });

      const summary = await rig.sync({ ...sync, repository: REPOSITORY }).finally(sync.close);

      expect(summary.result).toBe('success');
    });

    it('names a TLS file that went missing after the config was loaded', async () => {
      const repository = await loadClientConfig();
      const key = join(certs.dir, 'copy-client.key');
      await rm(key);

      const build = () => buildRepositorySync(repository, { log: pino({ level: 'silent' }) });

      expect(build).toThrow(
        expect.objectContaining({
          code: 'CONFIG_INVALID',
          message: `cannot read TLS client key ${key} (ENOENT)`,
          data: { file: key },
        }),
      );
    });

    it('syncs with client_cert and client_key', async () => {
      const summary = await syncWith(registry, 'mtls/client', {
        insecure: false,
        caFile: certs.caCert,
        clientCert: certs.clientCert,
        clientKey: certs.clientKey,
      });

      expect(summary.result).toBe('success');
      expect(summary.tags).toBe(TAGS.length);
    });
  });
});
