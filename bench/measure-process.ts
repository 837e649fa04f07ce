import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** GNU time: every peer is measured by the same outside tool, so no peer reports on itself. */
const GNU_TIME = '/usr/bin/time';

export interface Measured {
  /** Elapsed wall time as GNU time saw it (fork to exit), in seconds. */
  wallSeconds: number;
  /** Maximum resident set size of the process, in KiB (GNU time's %M). */
  peakRssKb: number;
  /**
   * User plus system CPU seconds of the process and its waited-for children (%U + %S). Other
   * work on the machine stretches wall time, much less this.
   */
  cpuSeconds: number;
  exitCode: number;
  stdoutFile: string;
  stderrFile: string;
}

export interface MeasureOptions {
  /** Where stdout, stderr and the time report go, as `<label>.stdout` and so on. */
  outDir: string;
  label: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const TIME_FORMAT = '%e %M %U %S';

/** Parses the last line of a TIME_FORMAT report; GNU time may put an exit-status line first. */
export function parseTimeReport(
  text: string,
): Pick<Measured, 'wallSeconds' | 'peakRssKb' | 'cpuSeconds'> {
  const last = text.trim().split('\n').pop() ?? '';
  const match = /^(\d+\.\d+) (\d+) (\d+\.\d+) (\d+\.\d+)$/.exec(last.trim());
  if (match === null) throw new Error(`not a GNU time "${TIME_FORMAT}" report: ${last}`);
  const [wall, rss, user, system] = match.slice(1).map(Number) as [number, number, number, number];
  return {
    wallSeconds: wall,
    peakRssKb: rss,
    cpuSeconds: Math.round((user + system) * 100) / 100,
  };
}

/**
 * Runs `command` under GNU time with stdout and stderr going to files (not through this
 * process, which would cost the peer's CPU on a small machine) and resolves once it exits.
 */
export async function measureProcess(
  command: string,
  args: string[],
  options: MeasureOptions,
): Promise<Measured> {
  const stdoutFile = join(options.outDir, `${options.label}.stdout`);
  const stderrFile = join(options.outDir, `${options.label}.stderr`);
  const timeFile = join(options.outDir, `${options.label}.time`);
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  let exitCode: number;
  try {
    const child = spawn(GNU_TIME, ['-f', TIME_FORMAT, '-o', timeFile, command, ...args], {
      stdio: ['ignore', out, err],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const report = parseTimeReport(await readFile(timeFile, 'utf8'));
  return { ...report, exitCode, stdoutFile, stderrFile };
}
