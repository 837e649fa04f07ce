import { REQUEST_KINDS, type RequestKind, classifyRequest } from '../test/harness/request-kind';

export type RequestCounts = Record<RequestKind, number>;

/** One request as the registry's access log records it. */
export interface AccessEntry {
  method: string;
  /** The path without its query string. */
  path: string;
  /** The query string without its `?`, or ''. */
  query: string;
  status: number;
  kind: RequestKind;
}

/*
 * docker-registry writes one Apache "combined" line per request to stdout (gorilla/handlers):
 *   127.0.0.1 - - [03/Dec/2026:18:55:32 +0000] "GET /v2/foo/tags/list HTTP/1.1" 200 27 "" "ua"
 * Its own logfmt lines (`time=... level=...`) share the file and do not match.
 */
const COMBINED_LINE = /^\S+ \S+ \S+ \[[^\]]*\] "([A-Z]+) (\S+) [^"]*" (\d{3}) /;

/** The request a combined-format line records, or undefined for any other line. */
export function parseAccessLine(line: string): AccessEntry | undefined {
  const match = COMBINED_LINE.exec(line);
  if (match === null) return undefined;
  const [, method = '', uri = '', status = '0'] = match;
  const queryStart = uri.indexOf('?');
  const path = queryStart === -1 ? uri : uri.slice(0, queryStart);
  const query = queryStart === -1 ? '' : uri.slice(queryStart + 1);
  return { method, path, query, status: Number(status), kind: classifyRequest(method, path) };
}

export function parseAccessLog(text: string): AccessEntry[] {
  return text.split('\n').flatMap((line) => parseAccessLine(line) ?? []);
}

export function zeroCounts(): RequestCounts {
  return Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, 0])) as RequestCounts;
}

export function countByKind(entries: readonly AccessEntry[]): RequestCounts {
  const counts = zeroCounts();
  for (const entry of entries) counts[entry.kind] += 1;
  return counts;
}
