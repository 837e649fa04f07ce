import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BearerAuth } from '../../src/registry/auth/bearer-auth';
import { ChallengeAuth } from '../../src/registry/auth/challenge-auth';
import { RegistryClient } from '../../src/registry/registry-client';
import { makeTokenCertificates, type TokenCertificates } from '../harness/auth/certificates';
import { pushGeneratedWithAuth } from '../harness/auth/push-with-auth';
import { startAuthRegistry } from '../harness/auth/start-auth-registry';
import { startTokenIssuer, type TokenIssuer } from '../harness/auth/token-issuer';
import { generateRepository, type GeneratedRepository } from '../harness/image-generator';
import type { RunningRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

const ISSUER = 'container-sync-test-issuer';
const SERVICE = 'container-sync-test-registry';

/**
 * docker-registry in token mode names its issuer's realm in its config, and the issuer's port is
 * known only once it listens, so each case starts an issuer (counting its own requests) and
 * then a registry trusting it. Both share the certificates made once for the file.
 */
describe('sync from a registry with token auth', () => {
  let workDir: string;
  let certificates: TokenCertificates;
  let registry: RunningRegistry | undefined;
  let issuer: TokenIssuer | undefined;
  let rig: SyncRig | undefined;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'container-sync-token-'));
    certificates = await makeTokenCertificates(workDir);
  });

  afterEach(async () => {
    await rig?.close();
    await registry?.stop();
    await issuer?.close();
    rig = registry = issuer = undefined;
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  /** An issuer, a registry trusting it, and `repo` pushed there with a push token. */
  async function arrange(
    repo: string,
    expiresAfterS?: (n: number) => number,
    basic?: { username: string; password: string },
  ) {
    issuer = await startTokenIssuer({
      certificates,
      issuer: ISSUER,
      service: SERVICE,
      ...(expiresAfterS ? { expiresAfterS } : {}),
      ...(basic ? { basic } : {}),
    });
    registry = await startAuthRegistry({
      token: {
        realm: issuer.realm,
        service: SERVICE,
        issuer: ISSUER,
        rootcertbundle: certificates.rootBundleFile,
      },
    });
    const generated = await generateRepository({ tags: ['v1', 'v2'], seed: `token/${repo}` });
    const pushToken = issuer.mint([`repository:${repo}:pull,push`]);
    await pushGeneratedWithAuth(registry.url, repo, generated, `Bearer ${pushToken}`);
    rig = await createSyncRig('postgres');
    return { generated, registry, issuer, rig };
  }

  function clientFor(registryUrl: string, repository: string) {
    return new RegistryClient({
      registryUrl,
      repository,
      authenticator: new BearerAuth({ repository }),
    });
  }

  function expectTags(tags: Record<string, string>, generated: GeneratedRepository) {
    expect(tags).toEqual(generated.tags);
  }

  it('fetches a pull token for the repository and syncs the image', async () => {
    const { generated, registry, issuer, rig } = await arrange('team/app');
    const upstream = clientFor(registry.url, 'team/app');

    const summary = await rig.sync({ name: 'team/app', upstream });
    upstream.close();

    expect(summary.result).toBe('success');
    expectTags((await rig.content('team/app')).tags, generated);
    expect(issuer.requests).toEqual([
      { service: SERVICE, scopes: ['repository:team/app:pull'], authorized: false },
    ]);
  });

  it('replaces a cached token the registry refuses as expired and syncs on', async () => {
    // The first token expired five minutes ago: far past the registry's ~60 s leeway.
    const { generated, registry, issuer, rig } = await arrange('team/expired', (n) =>
      n === 1 ? -300 : 300,
    );
    const upstream = clientFor(registry.url, 'team/expired');
    // A ping fetches that token and caches it, as a token fetched earlier that has expired
    // since would be. The ping itself fails: HttpClient replays a request once, and that one
    // replay carried the token the registry refuses.
    await expect(upstream.ping()).rejects.toMatchObject({ code: 'AUTH_FAILED' });

    const summary = await rig.sync({ name: 'team/expired', upstream });
    upstream.close();

    expect(summary.result).toBe('success');
    expectTags((await rig.content('team/expired')).tags, generated);
    expect(issuer.requests).toHaveLength(2);
    expect(issuer.requests.map((r) => r.scopes)).toEqual([
      ['repository:team/expired:pull'],
      ['repository:team/expired:pull'],
    ]);
  });

  it('lets the default authenticator pick bearer tokens, fetched with the credentials', async () => {
    const credentials = { username: 'reader', password: 'correct horse' };
    const { generated, registry, issuer, rig } = await arrange('team/auto', undefined, credentials);
    const good = new RegistryClient({
      registryUrl: registry.url,
      repository: 'team/auto',
      authenticator: new ChallengeAuth({ repository: 'team/auto', credentials }),
    });
    const bad = new RegistryClient({
      registryUrl: registry.url,
      repository: 'team/auto',
      authenticator: new ChallengeAuth({
        repository: 'team/auto',
        credentials: { ...credentials, password: 'not-the-password-7f3a' },
      }),
    });

    const synced = await rig.sync({ name: 'team/auto', upstream: good });
    const refused = await rig.sync({ name: 'team/auto', upstream: bad });
    good.close();
    bad.close();

    expect(synced.result).toBe('success');
    expectTags((await rig.content('team/auto')).tags, generated);
    expect(refused.result).toBe('failed');
    expect(refused.error).toMatchObject({ code: 'AUTH_FAILED' });
    expect(JSON.stringify(refused)).not.toContain('not-the-password-7f3a');
    expect(issuer.requests.every((r) => r.authorized)).toBe(true);
  });
});
