import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { stringify } from 'yaml';
import { CLI_VARIABLES } from '../../test/harness/compiled-cli';
import { freshDatabase } from '../../test/harness/database';

import { type Phase, type PeerRun, type RegistryWatch, runPeer } from '../peer-run';

/** The compiled CLI beside this file's own compiled form (dist/bench/peers -> dist/src). */
const CLI = join(__dirname, '../../src/cli/main.js');

/** What the CLI's last log line says about the one repository synced. */
export interface SyncSummaryFields {
  result: string;
  version: number | null;
  tags: number;
  manifests: number;
  blobs: number;
  bytes: number;
  rowsPerSecond: number;
  durationMs: number;
  requests: Record<string, number>;
}

export interface ContainerSyncRun extends PeerRun {
  summary: SyncSummaryFields;
}

/** What the latest version holds (status --json) and the rows of every catalog table. */
export interface CatalogCheck {
  content: { tags: number; manifests: number; blobs: number };
  storedBlobFiles: number;
  rows: Record<string, number>;
}

/**
 * One repository synced by the compiled CLI into a fresh PostgreSQL database and data dir,
 * with default settings (concurrency 8, batch_size 100) and policy immediate. Every sync of one
 * instance goes to the same database, so the second and third are re-syncs.
 */
export class ContainerSyncPeer {
  private constructor(
    private readonly workDir: string,
    private readonly configFile: string,
    private readonly databaseUrl: string,
    private readonly dataDir: string,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  static async create(
    workDir: string,
    registryUrl: string,
    repository: string,
  ): Promise<ContainerSyncPeer> {
    const db = await freshDatabase('postgres');
    const configFile = join(workDir, 'container-sync.yaml');
    const config = {
      data_dir: db.dataDir,
      repositories: [{ name: repository, upstream: registryUrl, repository, policy: 'immediate' }],
    };
    await writeFile(configFile, stringify(config));
    return new ContainerSyncPeer(workDir, configFile, db.options.url!, db.dataDir, db.drop);
  }

  /** `nodeArgs` go before the script, e.g. `--cpu-prof`. */
  async sync(registry: RegistryWatch, phase: Phase, nodeArgs: string[] = []) {
    const run = await runPeer(
      registry,
      { peer: 'container-sync', phase },
      process.execPath,
      [...nodeArgs, CLI, 'sync', '--config', this.configFile],
      { outDir: this.workDir, label: `container-sync-${phase}`, env: this.env() },
    );
    const summary = lastSummary(await readFile(run.stdoutFile, 'utf8'));
    if (summary.result !== 'success') {
      throw new Error(`container-sync (${phase}) ended ${summary.result}; see ${run.stdoutFile}`);
    }
    const { stdoutFile: _out, stderrFile: _err, ...measured } = run;
    return { ...measured, summary } satisfies ContainerSyncRun;
  }

  /** Not timed: reads what the catalog and the blob store hold after a sync. */
  async check(): Promise<CatalogCheck> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, 'status', '--config', this.configFile, '--json'],
      { env: this.env(), maxBuffer: 16 * 1024 * 1024 },
    );
    const [status] = JSON.parse(stdout) as Array<{ content: CatalogCheck['content'] }>;
    if (status === undefined) throw new Error('status --json listed no repository');
    return {
      content: status.content,
      storedBlobFiles: await countFiles(join(this.dataDir, 'store', 'blobs')),
      rows: await countRows(this.databaseUrl),
    };
  }

  async close(): Promise<void> {
    await this.dropDatabase();
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: this.databaseUrl };
    for (const name of CLI_VARIABLES) if (name !== 'DATABASE_URL') delete env[name];
    return env;
  }
}

/** The `sync complete` line is the CLI's last; it carries every repository's summary. */
export function lastSummary(stdout: string): SyncSummaryFields {
  const lines = stdout.trim().split('\n');
  const last = JSON.parse(lines.at(-1) ?? '{}') as { msg?: string; summaries?: unknown[] };
  if (last.msg !== 'sync complete' || last.summaries?.length !== 1) {
    throw new Error(`the CLI's last line is not one repository's summary: ${lines.at(-1)}`);
  }
  return last.summaries[0] as SyncSummaryFields;
}

/** Rows of every table in the public schema (the migrations table included). */
async function countRows(url: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    const rows: Record<string, number> = {};
    for (const { tablename } of tables.rows) {
      const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${tablename}"`);
      rows[tablename] = Number(counted.rows[0]?.n ?? 0);
    }
    return rows;
  } finally {
    await client.end();
  }
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).length;
}
