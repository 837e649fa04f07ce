/**
 * Preloaded into the compiled CLI (`node --require dist/.../test/harness/crash-at-hook.js`) by the
 * crash-point suite; never part of the product. It resolves src/crash-points from the same build
 * as the CLI, so the hook it installs is the one the CLI's code announces its points to.
 * `CRASH_AT=<point>:<n>` kills the process at the n-th arrival at that point; `CRASH_TALLY=<file>`
 * records how often each point was reached, so a suite can tell that none is dead code.
 */
import { installCrashHook } from '../../src/crash-points';
import { createCrashHook, dieNow, parseCrashAt, tallyOnExit } from './crash-at';

const crashAt = process.env['CRASH_AT'];
const tally = process.env['CRASH_TALLY'];
installCrashHook(
  createCrashHook({
    ...(crashAt ? { crashAt: parseCrashAt(crashAt) } : {}),
    ...(tally ? { onArrival: tallyOnExit(tally) } : {}),
    die: dieNow,
  }),
);
