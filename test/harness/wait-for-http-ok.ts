import { get } from 'node:http';

const POLL_INTERVAL_MS = 50;

/** One GET; resolves with the status, or undefined when nothing answered. */
function probe(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

export interface WaitForHttpOkOptions {
  timeoutMs: number;
  /** Checked between probes: a reason to give up early (the server process died). */
  abortReason?: () => string | undefined;
}

/**
 * Polls `url` until it answers 200. Throws with the last status seen when the bound passes or
 * `abortReason` names a reason, so the caller can add context such as a log tail.
 */
export async function waitForHttpOk(url: string, options: WaitForHttpOkOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastStatus: number | undefined;

  while (Date.now() < deadline) {
    lastStatus = await probe(url);
    if (lastStatus === 200) return;

    const reason = options.abortReason?.();
    if (reason !== undefined) throw new Error(`${url} will not answer: ${reason}`);

    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  const seen = lastStatus === undefined ? 'no answer' : `last status ${lastStatus}`;
  throw new Error(`${url} did not answer 200 within ${options.timeoutMs} ms (${seen})`);
}
