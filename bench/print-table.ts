/** `npm run bench:table`: the tables of bench/results/latest.json, as the README shows them. */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BenchResults } from './results';
import { renderTables } from './table';

const RESULTS = join(resolve(__dirname, '../..'), 'bench', 'results', 'latest.json');

readFile(RESULTS, 'utf8').then(
  (text) => process.stdout.write(renderTables(JSON.parse(text) as BenchResults)),
  (err: unknown) => {
    process.stderr.write(`cannot read ${RESULTS}: ${String(err)}\n`);
    process.exit(1);
  },
);
