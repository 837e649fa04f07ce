import { REQUEST_KINDS } from '../test/harness/request-kind';
import type { PeerRun } from './peer-run';
import type { BenchResults, CatalogRun, SizeResult, TargetResult } from './results';

const KIND_HEADERS: Record<(typeof REQUEST_KINDS)[number], string> = {
  ping: 'ping',
  tags: 'tags/list',
  manifestHead: 'manifest HEAD',
  manifestGet: 'manifest GET',
  blobHead: 'blob HEAD',
  blobGet: 'blob GET',
  other: 'other',
};

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const mib = (kb: number) => (kb / 1024).toFixed(0);

function runRow(size: number, run: PeerRun | CatalogRun): string[] {
  const catalog = 'rowsPerSecond' in run;
  const rowsPerSecond = catalog ? String(run.rowsPerSecond) : '';
  const summaryRows = catalog ? String(run.summary.rowsPerSecond) : '';
  return [
    size.toLocaleString('en-US'),
    run.peer,
    run.phase,
    run.wallSeconds.toFixed(2),
    run.cpuSeconds.toFixed(2),
    run.registryCpuSeconds.toFixed(2),
    mib(run.peakRssKb),
    ...REQUEST_KINDS.map((kind) => String(run.requests[kind])),
    rowsPerSecond,
    summaryRows,
  ];
}

function runsOf(result: SizeResult): Array<PeerRun | CatalogRun> {
  return [result.floor, result.skopeo, result.cold, result.noChange, result.changed];
}

function targetRow(target: TargetResult): string[] {
  const size = target.size === null ? '' : target.size.toLocaleString('en-US');
  return [target.target, size, target.measured, target.limit, `**${target.verdict}**`];
}

/** The runs, the ratios and the targets as Markdown tables: stdout and the README show this. */
export function renderTables(results: BenchResults): string {
  const runs = markdownTable(
    [
      'tags',
      'peer',
      'phase',
      'wall s',
      'CPU s',
      'registry CPU s',
      'peak RSS MiB',
      ...Object.values(KIND_HEADERS),
      'rows/s',
      'rows/s (summary)',
    ],
    results.sizes.flatMap((result) => runsOf(result).map((run) => runRow(result.size, run))),
  );
  const ratios = markdownTable(
    ['tags', 'cold wall / skopeo', 'cold wall / floor', 'cold CPU / skopeo', 'cold CPU / floor'],
    results.sizes.map(({ size, ratios }) => [
      size.toLocaleString('en-US'),
      ratios.coldOverSkopeo.toFixed(2),
      ratios.coldOverFloor.toFixed(2),
      ratios.coldCpuOverSkopeo.toFixed(2),
      ratios.coldCpuOverFloor.toFixed(2),
    ]),
  );
  const targets = markdownTable(
    ['target', 'tags', 'measured', 'limit', 'result'],
    results.targets.map(targetRow),
  );
  const { machine, settings } = results;
  const about =
    `${results.startedAt}${results.commit ? `, commit ${results.commit}` : ''}, ` +
    `${machine.cpus} x ${machine.cpuModel}, node ${machine.node}; ` +
    `container-sync concurrency ${settings.concurrency}, batch_size ${settings.batchSize}, ` +
    `policy ${settings.policy}; requests counted at ${settings.requestsCountedAt}.`;
  return [about, '', runs, '', ratios, '', targets, ''].join('\n');
}
