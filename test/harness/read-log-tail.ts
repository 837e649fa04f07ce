import { readFile } from 'node:fs/promises';

/** The last `lines` lines of a log file, or a note saying why there are none. */
export async function readLogTail(file: string, lines = 20): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
    return tail === '' ? '(log is empty)' : tail;
  } catch (err) {
    return `(log unreadable: ${err instanceof Error ? err.message : String(err)})`;
  }
}
