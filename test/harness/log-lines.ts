import type { Readable } from 'node:stream';

export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * Collects a child's JSON log lines as they come and lets a test wait for one that matches.
 * A line that is not JSON is kept as `{ raw }`, so a stray print shows up in a failing test.
 */
export class LogLines {
  readonly lines: LogLine[] = [];
  private partial = '';
  private waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      const text = this.partial + chunk.toString();
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      for (const part of parts) if (part !== '') this.add(part);
    });
  }

  count(match: (line: LogLine) => boolean): number {
    return this.lines.filter(match).length;
  }

  /** Resolves with the `nth` (1-based) line that matches, waiting up to `timeoutMs` for it. */
  waitFor(match: (line: LogLine) => boolean, nth = 1, timeoutMs = 30_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      let seen = 0;
      const counted = (line: LogLine) => match(line) && ++seen === nth;
      const found = this.lines.find(counted);
      if (found) return resolve(found);
      const timer = setTimeout(() => {
        const tail = this.lines
          .slice(-5)
          .map((l) => JSON.stringify(l))
          .join('\n');
        reject(
          new Error(`no matching log line #${nth} within ${timeoutMs} ms; last lines:\n${tail}`),
        );
      }, timeoutMs);
      this.waiters.push({
        match: counted,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  private add(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { raw: text };
    }
    this.lines.push(line);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(line)) return true;
      w.resolve(line);
      return false;
    });
  }
}

export const msg =
  (text: string, fields: Record<string, unknown> = {}) =>
  (line: LogLine) =>
    line.msg === text && Object.entries(fields).every(([k, v]) => line[k] === v);
