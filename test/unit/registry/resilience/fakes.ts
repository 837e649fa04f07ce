import { Readable, Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { HttpRequest, HttpResponse, Transport } from '../../../../src/registry/http-types';
import type { Clock } from '../../../../src/registry/resilience/clock';

/** A clock whose sleeps return at once and move time on; `sleeps` lists every wait asked. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(public time = Date.parse('2026-01-01T00:00:00Z')) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
    return Promise.resolve();
  }
}

export function response(
  status: number,
  headers: Record<string, string> = {},
  body: Readable = Readable.from([]),
  url = 'https://registry.test/v2/',
): HttpResponse {
  return { status, url: new URL(url), headers, body };
}

type Answer = HttpResponse | Error | ((request: HttpRequest) => HttpResponse);

/** Answers requests from a script, in order; `sent` keeps every request with its send time. */
export class ScriptedTransport implements Transport {
  readonly sent: Array<{ request: HttpRequest; at: number }> = [];
  readonly #answers: Answer[];
  readonly #clock?: FakeClock;

  constructor(answers: Answer[], clock?: FakeClock) {
    this.#answers = [...answers];
    this.#clock = clock;
  }

  send(request: HttpRequest): Promise<HttpResponse> {
    this.sent.push({ request, at: this.#clock?.now() ?? 0 });
    const answer = this.#answers.shift();
    if (answer === undefined) return Promise.reject(new Error('no answer left in the script'));
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve(typeof answer === 'function' ? answer(request) : answer);
  }
}

/** A logger whose lines land in `lines`, parsed. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

export function request(url = 'https://registry.test/v2/app/manifests/latest'): HttpRequest {
  return { method: 'GET', url: new URL(url) };
}
