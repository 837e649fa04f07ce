import { writeFileSync, writeSync } from 'node:fs';
import {
  CRASH_POINTS,
  type CrashContext,
  type CrashHook,
  type CrashPoint,
} from '../../src/crash-points';

/** Where to die: the `n`-th arrival (1-based) at `point`. */
export interface CrashAt {
  point: CrashPoint;
  n: number;
}

/** The line the hook writes as it dies, on stderr, which a sync leaves empty otherwise. */
export interface CrashLine extends CrashContext {
  msg: 'crash point reached';
  point: CrashPoint;
  n: number;
}

/** `CRASH_AT=<point>:<n>` (`:<n>` may be left out for 1); anything else is refused loudly. */
export function parseCrashAt(value: string): CrashAt {
  const match = /^([a-z.-]+)(?::([1-9][0-9]*))?$/.exec(value);
  const point = match?.[1] as CrashPoint | undefined;
  if (!match || !point || !CRASH_POINTS.includes(point)) {
    throw new Error(`CRASH_AT=${value}: expected <point>:<n> with a point of ${CRASH_POINTS}`);
  }
  return { point, n: Number(match[2] ?? '1') };
}

export interface CrashHookOptions {
  crashAt?: CrashAt;
  /** Called with every point's arrival count so far, at each arrival. */
  onArrival?: (arrivals: ReadonlyMap<CrashPoint, number>) => void;
  /** Writes the crash line and ends the process; a unit test passes its own. */
  die: (line: CrashLine) => void;
}

/** Counts arrivals per point and dies at the one asked for. */
export function createCrashHook(options: CrashHookOptions): CrashHook {
  const arrivals = new Map<CrashPoint, number>();
  return (point, context) => {
    const n = (arrivals.get(point) ?? 0) + 1;
    arrivals.set(point, n);
    options.onArrival?.(arrivals);
    if (options.crashAt?.point === point && options.crashAt.n === n) {
      options.die({ ...context, msg: 'crash point reached', point, n });
    }
  };
}

/**
 * For a process: the line written synchronously (nothing buffered is lost to the kill), then
 * SIGKILL, which no handler can catch, like a power cut or the OOM killer.
 */
export function dieNow(line: CrashLine): void {
  writeSync(2, `${JSON.stringify(line)}\n`);
  process.kill(process.pid, 'SIGKILL');
}

/** `CRASH_TALLY=<file>`: every point's arrival count, written as JSON when the process exits. */
export function tallyOnExit(file: string): (arrivals: ReadonlyMap<CrashPoint, number>) => void {
  let latest: ReadonlyMap<CrashPoint, number> = new Map();
  process.once('exit', () => writeFileSync(file, JSON.stringify(Object.fromEntries(latest))));
  return (arrivals) => (latest = arrivals);
}
