import { execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';

/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/**
 * The process whose command line contains `needle` (a registry's own config file path, which
 * no other process names). The harness does not hand out the registry's PID; /proc has it.
 */
export async function findPid(needle: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(needle)) return Number(entry);
  }
  throw new Error(`no process has ${needle} on its command line`);
}

/**
 * User plus system CPU seconds a running process has used so far (proc(5): fields 14 and 15 of
 * /proc/<pid>/stat, counted after the parenthesised command name, which may hold spaces).
 */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
