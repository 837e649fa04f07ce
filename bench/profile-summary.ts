/**
 * `npm run bench:profile -- <file.cpuprofile>`: where a profiled cold sync spent its time. Prints
 * the self time of the busiest functions and packages, and the inclusive time of the project's
 * own files and of packages (a sample counts once per file or package on its stack).
 */
import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const TOP = 25;

/** The package, project file or runtime part a frame belongs to. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  const own = /\/dist\/((?:src|bench|scripts)\/.*)\.js$/.exec(url);
  if (own) return own[1]!;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  return url;
}

function addTo(totals: Map<string, number>, key: string, micros: number): void {
  totals.set(key, (totals.get(key) ?? 0) + micros);
}

function rows(totals: Map<string, number>, all: number): string[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([key, micros]) => {
      const ms = (micros / 1000).toFixed(0).padStart(7);
      const share = ((100 * micros) / all).toFixed(1).padStart(5);
      return `${ms} ms ${share}%  ${key}`;
    });
}

export function summarize(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfByFunction = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  const inclusiveByOwnFile = new Map<string, number>();
  const inclusiveByArea = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    all += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    addTo(selfByFunction, `${functionName || '(anonymous)'} ${area}:${lineNumber + 1}`, micros);
    addTo(selfByArea, area, micros);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const file = areaOf(frame.url, frame.functionName);
      if (seen.has(file)) continue;
      seen.add(file);
      const own = /^(src|bench|scripts)\//.test(file);
      addTo(own ? inclusiveByOwnFile : inclusiveByArea, file, micros);
    }
  });
  const sections: Array<[string, Map<string, number>]> = [
    ['self time by function', selfByFunction],
    ['self time by package or file', selfByArea],
    ["inclusive time of the project's own files", inclusiveByOwnFile],
    ['inclusive time of packages and runtime parts', inclusiveByArea],
  ];
  return [
    `sampled ${(all / 1e6).toFixed(2)} s`,
    ...sections.flatMap(([title, totals]) => ['', title, ...rows(totals, all)]),
    '',
  ].join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npm run bench:profile -- <file.cpuprofile>\n');
    process.exit(64);
  }
  readFile(file, 'utf8')
    .then((text) => {
      const profile = JSON.parse(text) as Partial<CpuProfile>;
      if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples)) {
        throw new Error('not a V8 CPU profile (no nodes and samples)');
      }
      process.stdout.write(summarize(profile as CpuProfile));
    })
    .catch((err: unknown) => {
      process.stderr.write(`cannot summarize ${file}: ${String(err)}\n`);
      process.exit(1);
    });
}
