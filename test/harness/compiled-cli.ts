import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');

/** Variables the CLI reads, cleared so the developer's own settings cannot leak into a run. */
export const CLI_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_RETRY_WINDOW',
  'DATA_DIR',
  'BATCH_SIZE',
  'LOG_LEVEL',
];

/**
 * Compiles the project into a directory of its own under dist/, so a build running beside the
 * suite cannot swap files under it. Type errors elsewhere in the tree (another suite mid-change)
 * do not stop tsc from emitting and are not a CLI suite's to judge; a CLI not emitted is.
 */
export async function compileCli(): Promise<string> {
  await mkdir(path.join(ROOT, 'dist'), { recursive: true });
  const outDir = await mkdtemp(path.join(ROOT, 'dist', '.cli-spec-'));
  const tsc = require.resolve('typescript/bin/tsc');
  const args = [tsc, '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', outDir];
  const failure = await promisify(execFile)(process.execPath, args, { cwd: ROOT }).then(
    () => undefined,
    (err: { stdout?: string }) => err.stdout ?? String(err),
  );
  if (!existsSync(path.join(outDir, 'src/cli/main.js'))) {
    throw new Error(`tsc emitted no CLI:\n${failure ?? ''}`);
  }
  return outDir;
}

/** Starts the compiled CLI with a clean environment plus `env`, and `nodeArgs` before it. */
export function spawnCli(
  buildDir: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; nodeArgs?: string[] },
): ChildProcessWithoutNullStreams {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLI_VARIABLES) delete childEnv[name];
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const main = path.join(buildDir, 'src/cli/main.js');
  return spawn(process.execPath, [...(options.nodeArgs ?? []), main, ...args], {
    cwd: options.cwd,
    env: childEnv,
  });
}
