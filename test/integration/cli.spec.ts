import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compileCli, spawnCli } from '../harness/compiled-cli';
import { type DatabaseKind, freshDatabase } from '../harness/database';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { deleteBlob, pushBlob, pushGenerated } from '../harness/push';
import { startRegistry } from '../harness/registry';
import { writeOciLayout } from '../harness/write-oci-layout';

/**
 * The CLI as a user runs it: the compiled JS started as a child process, its exit code, its
 * stdout of JSON log lines and its stderr. Compiled once, into a directory of its own under
 * dist/, so a build running beside the suite cannot swap files under it.
 */

const TAGS = ['1.0', '2.0', 'latest'];
const REPOSITORY = 'cli/app';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

let buildDir: string;
let workDir: string;
let generated: GeneratedRepository;

beforeAll(async () => {
  buildDir = await compileCli();

  workDir = await mkdtemp(path.join(os.tmpdir(), 'cs-cli-'));
  generated = await generateRepository({
    tags: TAGS,
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    seed: 'cli spec',
  });
  await writeOciLayout(path.join(workDir, 'layout'), generated);
  await writeConfig('config.yaml', ['  - name: cli/app', '    upstream: oci-layout:./layout']);
});

afterAll(async () => {
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function writeConfig(name: string, repositoryLines: string[]): Promise<string> {
  const file = path.join(workDir, name);
  await writeFile(file, ['repositories:', ...repositoryLines, ''].join('\n'));
  return file;
}

function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const child = spawnCli(buildDir, args, { cwd: workDir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every stdout line of a sync must be a JSON log line; throws on anything else. */
function logLines(run: CliRun): Array<Record<string, unknown>> {
  return run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function lastSummary(run: CliRun) {
  const last = logLines(run).at(-1);
  expect(last?.['msg']).toBe('sync complete');
  const summaries = last?.['summaries'] as Array<Record<string, unknown>>;
  expect(summaries).toHaveLength(1);
  return summaries[0]!;
}

describe.each(['pglite', 'postgres'] as DatabaseKind[])('container-sync on %s', (kind) => {
  let env: Record<string, string | undefined>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    env = { DATA_DIR: db.dataDir, DATABASE_URL: db.options.url };
    drop = db.drop;
  });

  afterAll(async () => {
    await drop?.();
  });

  it('syncs the layout, exits 0, and ends with the summary', async () => {
    const run = await runCli(['sync', '--config', 'config.yaml'], env);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = lastSummary(run);
    expect(summary).toMatchObject({ repository: REPOSITORY, result: 'success', version: 1 });
    expect(summary['tags']).toBe(TAGS.length);
    expect(summary['manifests']).toBe(generated.manifests.size);
  });

  it('makes no new version when nothing changed', async () => {
    const run = await runCli(['sync', '--config', 'config.yaml'], env);

    expect(run.code).toBe(0);
    expect(lastSummary(run)).toMatchObject({ result: 'success', version: null });
  });

  it('shows the version, its content and the last run with status --json', async () => {
    const run = await runCli(['status', '--config', 'config.yaml', '--json'], env);

    expect(run.code).toBe(0);
    const statuses = JSON.parse(run.stdout) as unknown;
    expect(statuses).toEqual([
      {
        repository: REPOSITORY,
        version: 1,
        content: {
          tags: TAGS.length,
          manifests: generated.manifests.size,
          blobs: generated.blobs.size,
        },
        lastRun: expect.objectContaining({ result: 'success', error: null }),
      },
    ]);
  });

  it('prints the same as a table by default', async () => {
    const run = await runCli(['status'], env);

    expect(run.code).toBe(0);
    const [header, row] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^REPOSITORY +VERSION +TAGS +MANIFESTS +BLOBS +LAST RUN/);
    expect(row?.split(/ +/).slice(0, 6)).toEqual([
      REPOSITORY,
      '1',
      String(TAGS.length),
      String(generated.manifests.size),
      String(generated.blobs.size),
      'success',
    ]);
  });
});

describe('container-sync failures', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'cs-cli-data-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exits 1 on an invalid config, naming the file and the field', async () => {
    const file = await writeConfig('invalid.yaml', [
      '  - name: cli/app',
      '    upstream: oci-layout:./layout',
      '    policy: sometimes',
    ]);

    const run = await runCli(['sync', '--config', file], { DATA_DIR: dataDir });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}: repositories[0].policy: expected one of`);
    const failure = logLines(run).at(-1);
    expect(failure).toMatchObject({ msg: 'command failed', err: { code: 'CONFIG_INVALID' } });
  });

  it('exits 1 naming the repository when --repository is not configured', async () => {
    const run = await runCli(['sync', '--config', 'config.yaml', '--repository', 'nope'], {
      DATA_DIR: dataDir,
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no repository named "nope" (configured: cli/app)');
  });

  it('exits 2 when a tag fails and the others are saved', async () => {
    const layout = path.join(workDir, 'broken-layout');
    await writeOciLayout(layout, generated);
    const lost = generated.children['2.0']![1]!;
    await unlink(path.join(layout, 'blobs', 'sha256', lost.replace('sha256:', '')));
    const file = await writeConfig('broken.yaml', [
      '  - name: cli/broken',
      '    upstream: oci-layout:./broken-layout',
    ]);

    const run = await runCli(['sync', '--config', file], { DATA_DIR: dataDir });

    expect(run.code).toBe(2);
    const summary = lastSummary(run);
    expect(summary).toMatchObject({ result: 'partial', version: 1, tags: TAGS.length - 1 });
    expect(summary['failed']).toEqual([expect.objectContaining({ reference: '2.0' })]);
  });

  it('exits 2 on a registry with a missing blob, then 0 once it is pushed again', async () => {
    const registry = await startRegistry();
    try {
      const repo = 'cli/partial';
      // Layers of their own (uniqueLayerBytes): the layout tests above stored tags of these names.
      const broken = await generateRepository({
        tags: ['1.0', '2.0'],
        seed: 'cli partial',
        uniqueLayerBytes: 64,
      });
      await pushGenerated(registry.url, repo, broken);
      const image = broken.tags['2.0']!;
      const doc = JSON.parse(broken.manifests.get(image)!.bytes.toString('utf8')) as {
        layers: Array<{ digest: string }>;
      };
      const layer = doc.layers[doc.layers.length - 1]!.digest;
      await deleteBlob(registry.url, repo, layer);
      const file = await writeConfig('partial.yaml', [
        `  - name: ${repo}`,
        `    upstream: ${registry.url}`,
      ]);
      const failure = {
        repository: repo,
        reference: '2.0',
        digest: layer,
        manifest: image,
        code: 'BLOB_MISSING',
        message:
          `blob ${layer} is missing upstream ` +
          '(blob GET: HTTP 404: BLOB_UNKNOWN blob unknown to registry)',
      };

      const partial = await runCli(['sync', '--config', file], { DATA_DIR: dataDir });

      expect(partial.code).toBe(2);
      expect(lastSummary(partial)).toMatchObject({
        result: 'partial',
        version: 1,
        failed: [failure],
      });
      expect(logLines(partial).filter((line) => line['msg'] === 'tag failed')).toEqual([
        expect.objectContaining(failure),
      ]);
      const status = await runCli(['status', '--config', file, '--json'], { DATA_DIR: dataDir });
      expect(JSON.parse(status.stdout)).toEqual([
        expect.objectContaining({
          repository: repo,
          version: 1,
          lastRun: expect.objectContaining({ result: 'partial', error: { failed: [failure] } }),
        }),
      ]);

      await pushBlob(registry.url, repo, layer, broken.blobs.get(layer)!);
      const repaired = await runCli(['sync', '--config', file], { DATA_DIR: dataDir });

      expect(repaired.code).toBe(0);
      expect(lastSummary(repaired)).toMatchObject({ result: 'success', version: 2, failed: [] });
    } finally {
      await registry.stop();
    }
  });

  it('exits 1 when BATCH_SIZE is not a number', async () => {
    const run = await runCli(['sync', '--config', 'config.yaml'], {
      DATA_DIR: dataDir,
      BATCH_SIZE: 'lots',
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('BATCH_SIZE: expected a whole number of at least 1, got "lots"');
  });
});
