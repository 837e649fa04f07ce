import { parseArgs } from 'node:util';

export interface BenchArgs {
  sizes: number[];
  /**
   * Write a V8 CPU profile of each cold sync into its kept work dir. Profiling slows the sync,
   * so such a run writes no results.
   */
  profile: boolean;
  /** Keep each size's work dir (peer stdout/stderr, configs) instead of removing it. */
  keep: boolean;
}

export const DEFAULT_SIZES = [100, 1000, 5000];

/** `--sizes 100,1000 [--profile] [--keep]`; sizes run in the order given. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const sizes =
    values.sizes === undefined ? DEFAULT_SIZES : values.sizes.split(',').map((s) => s.trim());
  const parsed = sizes.map(Number);
  const bad = parsed.findIndex((size) => !Number.isSafeInteger(size) || size < 1);
  if (bad !== -1) throw new Error(`--sizes: not a positive whole number: ${String(sizes[bad])}`);
  return { sizes: parsed, profile: values.profile ?? false, keep: values.keep ?? false };
}
