import { Readable } from 'node:stream';
import { SyncError } from '../../../../src/errors';
import { RateLimiters } from '../../../../src/registry/resilience/rate-limiter';
import {
  RetryingTransport,
  type RetryingTransportOptions,
} from '../../../../src/registry/resilience/retrying-transport';
import { FakeClock, ScriptedTransport, capturingLogger, request, response } from './fakes';

const unreachable = () => new SyncError('REGISTRY_UNREACHABLE', 'GET failed: ECONNREFUSED');

function setup(
  answers: ConstructorParameters<typeof ScriptedTransport>[0],
  options: RetryingTransportOptions = {},
) {
  const clock = new FakeClock();
  const inner = new ScriptedTransport(answers, clock);
  // A fixed jitter draw of one half: each backoff is half its ceiling.
  const transport = new RetryingTransport(inner, { clock, random: () => 0.5, ...options });
  return { clock, inner, transport };
}

describe('RetryingTransport', () => {
  it('retries 5xx answers with growing jittered backoff until one succeeds', async () => {
    const { clock, inner, transport } = setup([response(503), response(502), response(200)], {
      baseDelayMs: 100,
    });

    const answer = await transport.send(request());

    expect(answer.status).toBe(200);
    expect(inner.sent).toHaveLength(3);
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it('gives up after maxAttempts and returns the last 5xx answer', async () => {
    const { clock, inner, transport } = setup(
      [response(500), response(500), response(500), response(500), response(200)],
      { baseDelayMs: 100 },
    );

    const answer = await transport.send(request());

    expect(answer.status).toBe(500);
    expect(inner.sent).toHaveLength(4);
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  it('caps each backoff at maxDelayMs', async () => {
    const { clock, transport } = setup(
      [response(500), response(500), response(500), response(200)],
      { baseDelayMs: 1_000, maxDelayMs: 1_500, random: () => 0.999 },
    );

    await transport.send(request());

    expect(clock.sleeps.every((ms) => ms < 1_500)).toBe(true);
  });

  it('starts no retry that would end past maxElapsedMs', async () => {
    const { clock, inner, transport } = setup(
      [response(503), response(503), response(503), response(200)],
      { baseDelayMs: 1_000, maxElapsedMs: 1_200 },
    );

    const answer = await transport.send(request());

    expect(answer.status).toBe(503);
    expect(inner.sent).toHaveLength(2);
    expect(clock.sleeps).toEqual([500]);
  });

  it('retries an unreachable registry and rethrows once the attempts are spent', async () => {
    const { inner, transport } = setup([
      unreachable(),
      unreachable(),
      unreachable(),
      unreachable(),
    ]);

    await expect(transport.send(request())).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
    expect(inner.sent).toHaveLength(4);
  });

  it('recovers from a connection error followed by success', async () => {
    const { inner, transport } = setup([unreachable(), response(200)]);

    const answer = await transport.send(request());

    expect(answer.status).toBe(200);
    expect(inner.sent).toHaveLength(2);
  });

  it('does not retry other errors', async () => {
    const { inner, transport } = setup([new SyncError('AUTH_FAILED', 'no'), response(200)]);

    await expect(transport.send(request())).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(inner.sent).toHaveLength(1);
  });

  it.each([400, 401, 403, 404, 416, 501])('returns a %i at once', async (status) => {
    const { clock, inner, transport } = setup([response(status), response(200)]);

    const answer = await transport.send(request());

    expect(answer.status).toBe(status);
    expect(inner.sent).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('waits the seconds a 429 Retry-After names', async () => {
    const { clock, inner, transport } = setup([
      response(429, { 'retry-after': '7' }),
      response(200),
    ]);

    const answer = await transport.send(request());

    expect(answer.status).toBe(200);
    expect(clock.sleeps).toEqual([7_000]);
    expect(inner.sent[1]!.at - inner.sent[0]!.at).toBe(7_000);
  });

  it('waits until the HTTP date a 429 Retry-After names', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const inner = new ScriptedTransport(
      [response(429, { 'retry-after': 'Thu, 01 Jan 2026 00:00:12 GMT' }), response(200)],
      clock,
    );
    const transport = new RetryingTransport(inner, { clock });

    const answer = await transport.send(request());

    expect(answer.status).toBe(200);
    expect(clock.sleeps).toEqual([12_000]);
  });

  it('returns a 429 that asks for longer than maxRetryAfterMs without waiting', async () => {
    const { clock, inner, transport } = setup(
      [response(429, { 'retry-after': '120' }), response(200)],
      { maxRetryAfterMs: 60_000 },
    );

    const answer = await transport.send(request());

    expect(answer.status).toBe(429);
    expect(inner.sent).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('backs off on a 429 without Retry-After', async () => {
    const { clock, transport } = setup([response(429), response(200)], { baseDelayMs: 100 });

    const answer = await transport.send(request());

    expect(answer.status).toBe(200);
    expect(clock.sleeps).toEqual([50]);
  });

  it('holds the next request to a host that said RateLimit-Remaining: 0', async () => {
    const { inner, transport } = setup([
      response(200, { 'ratelimit-remaining': '0', 'ratelimit-reset': '5' }),
      response(200),
      response(200),
    ]);

    await transport.send(request('https://registry.test/v2/a/tags/list'));
    await transport.send(request('https://other.test/v2/'));
    await transport.send(request('https://registry.test/v2/b/tags/list'));

    expect(inner.sent.map((s) => s.at - inner.sent[0]!.at)).toEqual([0, 0, 5_000]);
  });

  it('shares a spent quota with every transport of the same RateLimiters', async () => {
    const clock = new FakeClock();
    const rateLimiters = new RateLimiters({ clock });
    const first = new ScriptedTransport([response(200, { 'ratelimit-remaining': '0' })], clock);
    const second = new ScriptedTransport([response(200)], clock);

    await new RetryingTransport(first, { clock, rateLimiters, quotaPauseMs: 2_000 }).send(
      request(),
    );
    await new RetryingTransport(second, { clock, rateLimiters }).send(request());

    expect(second.sent[0]!.at - first.sent[0]!.at).toBe(2_000);
  });

  it('drains the bodies of answers it retries', async () => {
    const body = Readable.from([Buffer.from('{"errors":[]}')]);
    const { transport } = setup([response(503, {}, body), response(200)]);

    await transport.send(request());
    await new Promise((resolve) => setImmediate(resolve));

    expect(body.readableFlowing).toBe(true);
  });

  it('logs each retry with method, URL without query, status, attempt and delay', async () => {
    const { logger, lines } = capturingLogger();
    const { transport } = setup([response(503), response(200)], { logger, baseDelayMs: 100 });

    await transport.send(
      request('https://registry.test/v2/app/blobs/sha256:ab?X-Signature=secret'),
    );

    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'retrying registry request',
        method: 'GET',
        url: 'https://registry.test/v2/app/blobs/sha256:ab',
        status: 503,
        attempt: 1,
        delayMs: 50,
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });
});
