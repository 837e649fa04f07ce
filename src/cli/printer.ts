import type { Writable } from 'node:stream';

/**
 * The one place the CLI writes text meant for a person (tables, error messages) or a program
 * (`--json`). Logs never come through here: they are pino's JSON lines.
 */
export interface Printer {
  line(text: string): void;
  json(value: unknown): void;
}

export function createPrinter(stream: Writable): Printer {
  return {
    line: (text) => stream.write(`${text}\n`),
    json: (value) => stream.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}
