import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildRepositorySync } from '../../src/app/build-repository-sync';
import { loadConfig } from '../../src/config/load-config';
import { ChallengeAuth } from '../../src/registry/auth/challenge-auth';
import type { Credentials } from '../../src/registry/basic-auth';
import { RegistryClient } from '../../src/registry/registry-client';
import { writeHtpasswd } from '../harness/auth/htpasswd';
import { basicAuthorization, pushGeneratedWithAuth } from '../harness/auth/push-with-auth';
import { startAuthRegistry } from '../harness/auth/start-auth-registry';
import { generateRepository, type GeneratedRepository } from '../harness/image-generator';
import type { RunningRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

const USER = { username: 'reader', password: 'correct horse battery' };
const REPO = 'team/basic';

describe('sync from a registry with htpasswd (Basic) auth', () => {
  let workDir: string;
  let registry: RunningRegistry;
  let generated: GeneratedRepository;
  let rig: SyncRig;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'container-sync-htpasswd-'));
    const htpasswd = join(workDir, 'htpasswd');
    await writeHtpasswd(htpasswd, [USER]);
    registry = await startAuthRegistry({
      htpasswd: { realm: 'container-sync test', path: htpasswd },
    });
    generated = await generateRepository({ tags: ['v1', 'v2'], seed: 'htpasswd' });
    await pushGeneratedWithAuth(
      registry.url,
      REPO,
      generated,
      basicAuthorization(USER.username, USER.password),
    );
  });

  beforeEach(async () => {
    rig = await createSyncRig('postgres');
  });

  afterEach(async () => {
    await rig.close();
  });

  afterAll(async () => {
    await registry?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  function clientWith(credentials?: Credentials) {
    return new RegistryClient({
      registryUrl: registry.url,
      repository: REPO,
      authenticator: new ChallengeAuth({ repository: REPO, ...(credentials && { credentials }) }),
    });
  }

  it('syncs with the right password', async () => {
    const upstream = clientWith(USER);

    const summary = await rig.sync({ name: REPO, upstream });
    upstream.close();

    expect(summary.result).toBe('success');
    expect((await rig.content(REPO)).tags).toEqual(generated.tags);
  });

  it('fails AUTH_FAILED with a wrong password, never quoting it', async () => {
    const upstream = clientWith({ username: USER.username, password: 'wrong-password-91c2' });

    const summary = await rig.sync({ name: REPO, upstream });
    upstream.close();

    expect(summary.result).toBe('failed');
    expect(summary.error).toMatchObject({ code: 'AUTH_FAILED', status: 401 });
    expect(JSON.stringify(summary)).not.toContain('wrong-password-91c2');
  });

  it('fails AUTH_FAILED without credentials', async () => {
    const upstream = clientWith();

    const summary = await rig.sync({ name: REPO, upstream });
    upstream.close();

    expect(summary.result).toBe('failed');
    expect(summary.error).toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('syncs with credentials a config takes from a Docker config.json', async () => {
    const auth = Buffer.from(`${USER.username}:${USER.password}`).toString('base64');
    await writeFile(
      join(workDir, 'docker.json'),
      JSON.stringify({ auths: { [registry.host]: { auth } } }),
    );
    const configFile = join(workDir, 'config.yaml');
    await writeFile(
      configFile,
      [
        'repositories:',
        `  - name: ${REPO}`,
        `    upstream: "${registry.url}"`,
        '    credentials: { docker_config: ./docker.json }',
        '',
      ].join('\n'),
    );
    const config = await loadConfig(configFile, {});
    const sync = buildRepositorySync(config.repositories[0]!, { log: pino({ level: 'silent' }) });

    const summary = await rig.sync({ name: REPO, upstream: sync.upstream });
    sync.close();

    expect(summary.result).toBe('success');
    expect((await rig.content(REPO)).tags).toEqual(generated.tags);
  });
});
