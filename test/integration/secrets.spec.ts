import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import pino from 'pino';
import { buildRepositorySync } from '../../src/app/build-repository-sync';
import { loadConfig } from '../../src/config/load-config';
import { writeHtpasswd } from '../harness/auth/htpasswd';
import { makeTokenCertificates } from '../harness/auth/certificates';
import { basicAuthorization, pushGeneratedWithAuth } from '../harness/auth/push-with-auth';
import { startAuthRegistry } from '../harness/auth/start-auth-registry';
import { startTokenIssuer, type TokenIssuer } from '../harness/auth/token-issuer';
import { compileCli, spawnCli } from '../harness/compiled-cli';
import { freshDatabase } from '../harness/database';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import type { RunningRegistry } from '../harness/registry';
import { searchCatalog } from '../harness/search-catalog';

/**
 * Credentials never reach a log line, an error or the catalog. One `sync` of the compiled CLI at
 * LOG_LEVEL=trace covers Basic (htpasswd) and bearer token registries, credentials from
 * environment variables and from a Docker config.json, wrong passwords, and runs that fail
 * half-way (a blob whose connection is reset, a manifest answered 500); then every line it
 * wrote, every thrown error and every text column of every table is searched for each secret.
 */

const RUN = randomUUID().slice(0, 8);
const BASIC = { username: 'basic-reader', password: `basic secret ${RUN}` };
const TOKEN = { username: 'token-reader', password: `token secret ${RUN}` };
const WRONG = `wrong secret ${RUN}`;
const ISSUER = 'container-sync-secrets-issuer';
const SERVICE = 'container-sync-secrets-registry';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The secret values and every encoding of them that could travel in a header. */
function secretForms(credentials: { username: string; password: string }): string[] {
  const basic = basicAuthorization(credentials.username, credentials.password);
  return [credentials.password, basic.slice('Basic '.length), basic];
}

/**
 * A JWT, and its claims and signature alone: its header (the issuer's public certificate) is
 * shared by every token, but either other part, even cut short, is this token.
 */
function tokenForms(token: string): string[] {
  const [, claims = '', signature = ''] = token.split('.');
  return [token, claims, signature];
}

/** The one layer of `tag`'s image manifest that no other tag shares. */
function ownLayer(generated: GeneratedRepository, tag: string): string {
  const manifest = generated.manifests.get(generated.tags[tag]!)!;
  const { layers } = JSON.parse(manifest.bytes.toString('utf8')) as {
    layers: Array<{ digest: string }>;
  };
  return layers.at(-1)!.digest;
}

describe('credentials stay out of logs, errors and the catalog', () => {
  let buildDir: string;
  let workDir: string;
  let basicRegistry: RunningRegistry;
  let tokenRegistry: RunningRegistry;
  let issuer: TokenIssuer;
  let basicProxy: CountingProxy;
  let tokenProxy: CountingProxy;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let run: CliRun;
  let configFile: string;

  const env = () => ({
    LOG_LEVEL: 'trace',
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.options.url,
    BASIC_USER: BASIC.username,
    BASIC_PASSWORD: BASIC.password,
    TOKEN_USER: TOKEN.username,
    TOKEN_PASSWORD: TOKEN.password,
    WRONG_PASSWORD: WRONG,
  });

  /** Every secret this suite handed out or that a registry issued. */
  const secrets = () => [
    ...secretForms(BASIC),
    ...secretForms(TOKEN),
    ...secretForms({ username: BASIC.username, password: WRONG }),
    ...secretForms({ username: TOKEN.username, password: WRONG }),
    ...issuer.issued.flatMap(tokenForms),
  ];

  beforeAll(async () => {
    buildDir = await compileCli();
    workDir = await mkdtemp(join(tmpdir(), 'container-sync-secrets-'));

    const htpasswd = join(workDir, 'htpasswd');
    await writeHtpasswd(htpasswd, [BASIC]);
    basicRegistry = await startAuthRegistry({ htpasswd: { realm: 'secrets', path: htpasswd } });
    const certificates = await makeTokenCertificates(workDir);
    issuer = await startTokenIssuer({
      certificates,
      issuer: ISSUER,
      service: SERVICE,
      basic: TOKEN,
    });
    tokenRegistry = await startAuthRegistry({
      token: {
        realm: issuer.realm,
        service: SERVICE,
        issuer: ISSUER,
        rootcertbundle: certificates.rootBundleFile,
      },
    });

    const repositories = await pushRepositories();

    // Mid-run failures after a successful login: a blob whose connection is reset (retried,
    // then failed), and a manifest the registry answers 500 for (retried, then failed).
    basicProxy = await startCountingProxy(basicRegistry.url);
    const resetBlob = ownLayer(repositories.get('team/basic-broken')!, 'v2');
    basicProxy.intercept = (req) => {
      if (req.url !== `/v2/team/basic-broken/blobs/${resetBlob}`) return false;
      req.socket.destroy();
      return true;
    };
    tokenProxy = await startCountingProxy(tokenRegistry.url);
    const failing = repositories.get('team/token-broken')!.tags['v2'];
    tokenProxy.intercept = (req, res) => {
      if (req.url !== `/v2/team/token-broken/manifests/${failing}`) return false;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNKNOWN","message":"injected"}]}');
      return true;
    };

    configFile = await writeSyncConfig();
    database = await freshDatabase('postgres');
    run = await runCli(['sync', '--config', configFile]);
  });

  /** Two tags in each repository, pushed with a credential its registry accepts. */
  async function pushRepositories(): Promise<Map<string, GeneratedRepository>> {
    const repositories = new Map<string, GeneratedRepository>();
    for (const repo of ['team/basic', 'team/basic-broken', 'team/token', 'team/token-broken']) {
      const seed = `secrets/${repo}`;
      const generated = await generateRepository({
        tags: ['v1', 'v2'],
        seed,
        uniqueLayerBytes: 256,
      });
      const onBasic = repo.startsWith('team/basic');
      const authorization = onBasic
        ? basicAuthorization(BASIC.username, BASIC.password)
        : `Bearer ${issuer.mint([`repository:${repo}:pull,push`])}`;
      await pushGeneratedWithAuth(
        (onBasic ? basicRegistry : tokenRegistry).url,
        repo,
        generated,
        authorization,
      );
      repositories.set(repo, generated);
    }
    return repositories;
  }

  /**
   * One repository per case, in this order: through a proxy (where failures are injected) or
   * straight to the registry, credentials from variables or from a Docker config.json.
   */
  async function writeSyncConfig(): Promise<string> {
    const fromEnv = (user: string, password: string) =>
      `{ username_env: ${user}, password_env: ${password} }`;
    const [basic, basicWrong] = [
      fromEnv('BASIC_USER', 'BASIC_PASSWORD'),
      fromEnv('BASIC_USER', 'WRONG_PASSWORD'),
    ];
    const [token, tokenWrong] = [
      fromEnv('TOKEN_USER', 'TOKEN_PASSWORD'),
      fromEnv('TOKEN_USER', 'WRONG_PASSWORD'),
    ];
    const docker = '{ docker_config: ./docker.json }';
    const cases: Array<[name: string, upstream: string, repository: string, credentials: string]> =
      [
        ['basic/env', basicProxy.url, 'team/basic', basic],
        ['basic/docker', basicRegistry.url, 'team/basic', docker],
        ['basic/wrong', basicProxy.url, 'team/basic', basicWrong],
        ['basic/broken', basicProxy.url, 'team/basic-broken', basic],
        ['token/env', tokenProxy.url, 'team/token', token],
        ['token/docker', tokenRegistry.url, 'team/token', docker],
        ['token/wrong', tokenProxy.url, 'team/token', tokenWrong],
        ['token/broken', tokenProxy.url, 'team/token-broken', token],
      ];
    const lines = cases.flatMap(([name, upstream, repository, credentials]) => [
      `  - { name: ${name}, upstream: "${upstream}", repository: ${repository},`,
      `      credentials: ${credentials} }`,
    ]);
    const file = join(workDir, 'config.yaml');
    await writeFile(file, ['repositories:', ...lines, ''].join('\n'));

    const basicAuth = Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64');
    const auths = {
      [basicRegistry.host]: { auth: basicAuth },
      [`http://${tokenRegistry.host}`]: { username: TOKEN.username, password: TOKEN.password },
    };
    await writeFile(join(workDir, 'docker.json'), JSON.stringify({ auths }));
    return file;
  }

  afterAll(async () => {
    await basicProxy?.stop();
    await tokenProxy?.stop();
    await basicRegistry?.stop();
    await tokenRegistry?.stop();
    await issuer?.close();
    await database?.drop();
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  function runCli(args: string[]): Promise<CliRun> {
    const child = spawnCli(buildDir, args, { cwd: workDir, env: env() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  function logLines(output: string): Array<Record<string, unknown>> {
    return output
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** The secrets found in `text`, none expected. */
  function leaked(text: string): string[] {
    return secrets().filter((secret) => text.includes(secret));
  }

  it('ran every case: successes, refused passwords and failures half-way', () => {
    const summaries = logLines(run.stdout).at(-1)?.['summaries'] as Array<Record<string, unknown>>;
    const outcome = (summary: Record<string, unknown>) => {
      const error = summary['error'] as { code?: string } | undefined;
      const failed = summary['failed'] as Array<{ reference: string; code: string }>;
      return [
        summary['repository'],
        summary['result'],
        error?.code,
        ...failed.map((f) => `${f.reference} ${f.code}`),
      ];
    };

    expect(run.code).toBe(1);
    expect(summaries.map(outcome)).toEqual([
      ['basic/env', 'success', undefined],
      ['basic/docker', 'success', undefined],
      ['basic/wrong', 'failed', 'AUTH_FAILED'],
      ['basic/broken', 'partial', undefined, 'v2 REGISTRY_UNREACHABLE'],
      ['token/env', 'success', undefined],
      ['token/docker', 'success', undefined],
      ['token/wrong', 'failed', 'AUTH_FAILED'],
      ['token/broken', 'partial', undefined, 'v2 REGISTRY_ERROR'],
    ]);
    // Tokens were fetched with the password (the refused ones included) and used.
    expect(issuer.requests.filter((r) => !r.authorized)).toEqual([]);
    expect(issuer.issued.length).toBeGreaterThanOrEqual(3);
  });

  it('writes no secret in any log line, at trace level', () => {
    const lines = logLines(run.stdout);
    const count = (msg: string) => lines.filter((line) => line['msg'] === msg).length;

    // Debug lines (each request) and the failure paths' lines were all written.
    expect(count('registry request')).toBeGreaterThan(20);
    expect(count('bearer token fetched')).toBeGreaterThan(0);
    expect(count('retrying registry request')).toBeGreaterThan(0);
    expect(count('sync failed')).toBe(2);
    expect(lines.filter((line) => leaked(JSON.stringify(line)).length > 0)).toEqual([]);
    expect(leaked(run.stdout)).toEqual([]);
    expect(leaked(run.stderr)).toEqual([]);
  });

  it('stores no secret in any text, JSON or bytes column of any table', async () => {
    const { columns, hits } = await searchCatalog(database.options.url!, secrets());
    const control = await searchCatalog(database.options.url!, ['AUTH_FAILED']);

    expect(columns.map((c) => `${c.table}.${c.column}`)).toEqual(
      expect.arrayContaining(['sync_run.error', 'manifest.data', 'tag.name']),
    );
    expect(control.hits).toEqual([
      { table: 'sync_run', column: 'error', needle: 'AUTH_FAILED', rows: 2 },
    ]);
    expect(hits).toEqual([]);
  });

  it('prints no secret in status output', async () => {
    const status = await runCli(['status', '--config', configFile, '--json']);

    expect(status.code).toBe(0);
    expect(status.stdout).toContain('AUTH_FAILED');
    expect(leaked(status.stdout + status.stderr)).toEqual([]);
  });

  it('throws errors that carry no secret, causes included', async () => {
    const config = await loadConfig(configFile, env());
    const errors: unknown[] = [];
    for (const repository of config.repositories.filter((r) => r.name.endsWith('/wrong'))) {
      const sync = buildRepositorySync(repository, { log: pino({ level: 'silent' }) });
      await sync.upstream.ping().catch((err: unknown) => errors.push(err));
      sync.close();
    }

    expect(errors).toHaveLength(2);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'AUTH_FAILED' }),
      expect.objectContaining({ code: 'AUTH_FAILED' }),
    ]);
    for (const error of errors) {
      const text = [String(error), JSON.stringify(error), inspect(error, { depth: null })];
      expect(leaked(text.join('\n'))).toEqual([]);
    }
  });
});
