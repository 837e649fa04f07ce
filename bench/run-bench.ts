/**
 * `npm run bench [-- --sizes 100,1000 --profile --keep]`: fills a real docker-registry with
 * generated repositories and measures container-sync against skopeo and the floor at each size.
 * Prints the tables and writes bench/results/<timestamp>.json and bench/results/latest.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { REPOSITORY_DEFAULTS } from '../src/config/repository-defaults';
import { type BenchArgs, parseBenchArgs } from './args';
import { measureSize } from './measure-size';
import type { BenchResults, SizeResult } from './results';
import { renderTables } from './table';
import { checksAt, evaluateTargets } from './targets';

/** dist/bench -> the repository root. */
const ROOT = resolve(__dirname, '../..');

/** The commit measured, `+dirty` when the work tree had changes; undefined outside a clone. */
function commitOf(root: string): string | undefined {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
    return (
      git('rev-parse', '--short=12', 'HEAD') +
      (git('status', '--porcelain', '--', 'src') ? '+dirty' : '')
    );
  } catch {
    return undefined;
  }
}

const COMMIT = commitOf(ROOT);

function collect(startedAt: string, loadAtStart: number[], sizes: SizeResult[]): BenchResults {
  return {
    startedAt,
    ...(COMMIT && { commit: COMMIT }),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg(),
    },
    settings: {
      concurrency: REPOSITORY_DEFAULTS.concurrency,
      batchSize: REPOSITORY_DEFAULTS.batchSize,
      policy: 'immediate',
      requestsCountedAt: "the registry's access log",
    },
    sizes,
    targets: evaluateTargets(sizes),
    checksBySize: sizes.flatMap(checksAt),
  };
}

/** The start time with dashes for colons, which some file systems refuse. */
function resultsFile(startedAt: string): string {
  return `${startedAt.replace(/:/g, '-')}.json`;
}

/** bench/results/<startedAt>.json and latest.json, the same content. */
async function writeResults(results: BenchResults): Promise<void> {
  const dir = join(ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  await writeFile(join(dir, resultsFile(results.startedAt)), json);
  await writeFile(join(dir, 'latest.json'), json);
}

const USAGE = 'usage: npm run bench [-- --sizes 100,1000,5000] [--profile] [--keep]';

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exit(64);
  }
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg();
  const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

  const sizes: SizeResult[] = [];
  let results = collect(startedAt, loadAtStart, sizes);
  for (const size of args.sizes) {
    sizes.push(
      await measureSize(size, { root: ROOT, profile: args.profile, keep: args.keep, log }),
    );
    // Written after every size, so a later size that fails or is stopped loses nothing before it.
    // A profiled cold sync is slower than a plain one: its timings are not results.
    results = collect(startedAt, loadAtStart, sizes);
    if (!args.profile) await writeResults(results);
  }
  process.stdout.write(renderTables(results));
  log(
    args.profile
      ? 'profiled: the timings above are slowed by the profiler, and no results were written'
      : `results written to bench/results/${resultsFile(startedAt)} and latest.json`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
