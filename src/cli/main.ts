#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import pino, { type Logger } from 'pino';
import { readAppEnvironment, type AppEnvironment } from '../app/app-environment';
import type { Environment } from '../config/load-context';
import { createLogger } from '../log/logger';
import type { CommandContext } from './command-context';
import { formatStatusTable } from './format-status-table';
import { boundHeapGrowth } from './heap-growth';
import { runMigrateCommand } from './migrate-command';
import { runRunCommand } from './run-command';
import { createPrinter, type Printer } from './printer';
import { reportFailure } from './report-failure';
import { runStatusCommand } from './status-command';
import { runSyncCommand } from './sync-command';

/** The process's streams and environment, passed in so the program can be built in a test. */
export interface CliIo {
  env: Environment;
  stdout: Printer;
  stderr: Printer;
}

/**
 * Where a command's logs go. `status` prints its result on stdout, so its logs go to stderr;
 * every other command's stdout is nothing but JSON log lines.
 */
type LogStream = 'stdout' | 'stderr';

export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('container-sync')
    .description('Mirror OCI / Docker registry repositories into a catalog and a blob store')
    .showHelpAfterError();

  /** Runs a command with its context; any throw ends up in reportFailure. */
  const action = async (stream: LogStream, work: (ctx: CommandContext) => Promise<number>) => {
    let log: Logger = fallbackLogger(stream);
    try {
      const settings: AppEnvironment = readAppEnvironment(io.env);
      log = createLogger({ level: settings.logLevel, destination: destination(stream) });
      setExitCode(await work({ env: io.env, settings, log }));
    } catch (err) {
      setExitCode(reportFailure(err, log, io.stderr));
    }
  };

  program
    .command('sync')
    .description('sync every configured repository (or one) once, in file order')
    .requiredOption('-c, --config <file>', 'config file (YAML)')
    .option('-r, --repository <name>', 'only this configured repository')
    .action((options: { config: string; repository?: string }) =>
      action('stdout', async (ctx) => (await runSyncCommand(options, ctx)).exitCode),
    );

  program
    .command('run')
    .description('sync every repository at its interval until SIGTERM; SIGHUP reloads the config')
    .requiredOption('-c, --config <file>', 'config file (YAML)')
    .action((options: { config: string }) =>
      action('stdout', async (ctx) => {
        await runRunCommand(options, ctx);
        return 0;
      }),
    );

  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('-c, --config <file>', 'config file, for its data_dir')
    .action((options: { config?: string }) =>
      action('stdout', async (ctx) => {
        await runMigrateCommand(options, ctx);
        return 0;
      }),
    );

  program
    .command('status')
    .description('latest version, content counts and last run of each repository')
    .option('-c, --config <file>', 'show its repositories (default: all in the catalog)')
    .option('--json', 'print JSON instead of a table')
    .action((options: { config?: string; json?: boolean }) =>
      action('stderr', async (ctx) => {
        const statuses = await runStatusCommand(options, ctx);
        if (options.json) io.stdout.json(statuses);
        else io.stdout.line(formatStatusTable(statuses));
        return 0;
      }),
    );

  return program;
}

function destination(stream: LogStream): pino.DestinationStream {
  return pino.destination({ fd: stream === 'stdout' ? 1 : 2, sync: true });
}

/** Logs a failure to read the environment itself, LOG_LEVEL included. */
function fallbackLogger(stream: LogStream): Logger {
  return createLogger({ level: 'info', destination: destination(stream) });
}

if (require.main === module) {
  boundHeapGrowth();
  const io: CliIo = {
    env: process.env,
    stdout: createPrinter(process.stdout),
    stderr: createPrinter(process.stderr),
  };
  // exitCode rather than exit(): buffered output is written before the process ends.
  const program = buildProgram(io, (code) => (process.exitCode = code));
  void program.parseAsync(process.argv);
}
