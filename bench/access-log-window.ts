import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AccessEntry, parseAccessLog } from './access-log';

/** The query that marks the bench's own end-of-window request, left out of every count. */
const MARK = 'bench-window-end';
/** How long the log must stay unchanged after the mark before the window is read. */
const SETTLE_MS = 200;
const MARK_TIMEOUT_MS = 10_000;

/**
 * The requests one peer made, read from the registry's access log between `start()` and
 * `end()`. The registry writes a line once a handler has returned, which can be just after the
 * client has its answer; so `end()` sends a request of its own after the peer has exited, waits
 * for that line, then for the file to stop growing, and only then reads.
 */
export class AccessLogWindow {
  #offset = 0;
  #marks = 0;

  constructor(
    private readonly logFile: string,
    private readonly registryUrl: string,
  ) {}

  async start(): Promise<void> {
    this.#offset = (await stat(this.logFile)).size;
  }

  async end(): Promise<AccessEntry[]> {
    const mark = `${MARK}=${++this.#marks}`;
    const answer = await fetch(`${this.registryUrl}/v2/?${mark}`);
    await answer.arrayBuffer();

    const deadline = Date.now() + MARK_TIMEOUT_MS;
    let text = await this.#read();
    while (!text.includes(`?${mark} `)) {
      if (Date.now() > deadline) throw new Error(`the registry never logged ${mark}`);
      await sleep(50);
      text = await this.#read();
    }
    for (let last = text.length; ; last = text.length) {
      await sleep(SETTLE_MS);
      text = await this.#read();
      if (text.length === last) break;
    }
    return parseAccessLog(text).filter((entry) => !entry.query.startsWith(MARK));
  }

  async #read(): Promise<string> {
    const file = await open(this.logFile, 'r');
    try {
      const { size } = await file.stat();
      const buffer = Buffer.alloc(size - this.#offset);
      await file.read(buffer, 0, buffer.length, this.#offset);
      return buffer.toString('utf8');
    } finally {
      await file.close();
    }
  }
}
