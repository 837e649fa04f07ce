import { Writable } from 'node:stream';
import axios from 'axios';
import { SyncError } from '../../../src/errors';
import { createLogger } from '../../../src/log/logger';
import { findFreePort } from '../../harness/free-port';

const PASSWORD_BASIC = `Basic ${Buffer.from('reader:logger spec password').toString('base64')}`;
const BEARER = 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJsb2dnZXIifQ.c2lnbmF0dXJl';

/** A logger at trace level writing into an array of parsed lines. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ level: 'trace', destination }), lines };
}

/** A real axios error: a refused connection, with both secrets in its request headers. */
async function refusedRequest(): Promise<Error> {
  const port = await findFreePort();
  const headers = { Authorization: PASSWORD_BASIC, 'X-Registry-Token': BEARER };
  return axios.get(`http://127.0.0.1:${port}/v2/`, { headers }).then(
    () => {
      throw new Error('expected the request to be refused');
    },
    (err: Error) => err,
  );
}

describe('createLogger', () => {
  it('logs an axios error by its message and code, without the request it carries', async () => {
    const { log, lines } = capture();
    const err = await refusedRequest();

    log.error({ err }, 'request failed');

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(PASSWORD_BASIC.slice(6));
    expect(lines[0]).not.toContain(BEARER.slice(7));
    const logged = (JSON.parse(lines[0]!) as { err: Record<string, unknown> }).err;
    expect(logged).toMatchObject({ type: 'AxiosError', code: 'ECONNREFUSED' });
    expect(Object.keys(logged)).not.toEqual(expect.arrayContaining(['config']));
    expect((err as Error & { config: { headers: object } }).config.headers).toMatchObject({
      Authorization: PASSWORD_BASIC,
    });
  });

  it('strips errors nested in fields and lists of the logged error too', async () => {
    const { log, lines } = capture();
    const inner = await refusedRequest();
    const outer = Object.assign(new AggregateError([inner], 'all failed'), { last: inner });

    log.warn({ err: outer }, 'several failed');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ECONNREFUSED');
    expect(lines[0]).not.toContain(PASSWORD_BASIC.slice(6));
    expect(lines[0]).not.toContain(BEARER.slice(7));
  });

  it('keeps the code and data of a SyncError', () => {
    const { log, lines } = capture();
    const err = new SyncError('AUTH_FAILED', 'tag list: HTTP 401', { status: 401, url: 'x' });

    log.error({ err }, 'sync failed');

    expect(JSON.parse(lines[0]!)).toMatchObject({
      err: { type: 'SyncError', code: 'AUTH_FAILED', data: { status: 401, url: 'x' } },
    });
  });

  it('redacts Authorization headers in logged objects', () => {
    const { log, lines } = capture();

    log.debug({ headers: { authorization: BEARER } }, 'one');
    log.debug({ request: { headers: { Authorization: PASSWORD_BASIC } } }, 'two');

    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ headers: { authorization: '[redacted]' } }),
      expect.objectContaining({ request: { headers: { Authorization: '[redacted]' } } }),
    ]);
  });
});
