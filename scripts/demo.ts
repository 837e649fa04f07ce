import 'reflect-metadata';
import path from 'node:path';
import { readAppEnvironment } from '../src/app/app-environment';
import type { CommandContext } from '../src/cli/command-context';
import { formatStatusTable } from '../src/cli/format-status-table';
import { createPrinter } from '../src/cli/printer';
import { reportFailure } from '../src/cli/report-failure';
import { runStatusCommand } from '../src/cli/status-command';
import { runSyncCommand } from '../src/cli/sync-command';
import { createLogger } from '../src/log/logger';
import { formatSummary } from './format-summary';
import { DEMO_PLATFORMS, DEMO_TAGS, writeDemoRepository } from './write-demo-repository';

/**
 * `npm run demo`: a whole sync on this machine with nothing to set up. It writes a generated OCI
 * layout, syncs it through the same code as `container-sync sync` into the embedded PGlite, and
 * prints the summary and the `status` table. Nothing leaves the machine.
 */
async function main(): Promise<number> {
  const out = createPrinter(process.stdout);
  const env = { ...process.env };
  // The demo runs on the embedded defaults even where a real database is configured.
  delete env['DATABASE_URL'];
  const dataDir = path.resolve(env['DATA_DIR'] || path.join('data', 'demo-run'));
  env['DATA_DIR'] = dataDir;
  // The JSON log lines would bury the summary; LOG_LEVEL=info shows them.
  env['LOG_LEVEL'] ||= 'warn';

  const settings = readAppEnvironment(env);
  const log = createLogger({ level: settings.logLevel });
  const ctx: CommandContext = { env, settings, log };
  try {
    const { layout, config } = await writeDemoRepository(dataDir);
    const platforms = DEMO_PLATFORMS.map((p) => `${p.os}/${p.architecture}`).join(' + ');
    out.line('container-sync demo');
    out.line(`  upstream  oci-layout:${layout} (${DEMO_TAGS.length} tags, ${platforms})`);
    out.line(`  config    ${config}`);
    out.line(`  data      ${dataDir} (PGlite in pg/, blobs in store/)`);

    const { exitCode, summaries } = await runSyncCommand({ config }, ctx);
    out.line('');
    out.line('sync');
    for (const summary of summaries) out.line(`  ${formatSummary(summary)}`);

    const statuses = await runStatusCommand({ config }, ctx);
    out.line('');
    out.line('status');
    out.line(formatStatusTable(statuses));
    return exitCode;
  } catch (err) {
    return reportFailure(err, log, createPrinter(process.stderr));
  }
}

void main().then((code) => (process.exitCode = code));
