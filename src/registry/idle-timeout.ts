import { PassThrough, type Readable } from 'node:stream';

/**
 * Fails a response body that stops sending. axios's `timeout` covers the wait for the response
 * head only; a registry or proxy that sends half a blob and then goes quiet would otherwise hold
 * the sync forever (and the daemon's stop with it). The body is piped through, so nothing is
 * read before the caller reads, and the clock only runs while bytes are expected.
 */
export function failWhenIdle(body: Readable, idleMs: number, what: string): Readable {
  const out = new PassThrough();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const error = new Error(`${what}: no data for ${idleMs} ms`);
      body.destroy(error);
      out.destroy(error);
    }, idleMs);
    timer.unref();
  };
  const disarm = () => clearTimeout(timer);
  out.on('close', disarm);
  body.on('end', disarm);
  body.on('error', (err) => {
    disarm();
    out.destroy(err);
  });
  // A caller that throws the body away stops the download too.
  out.on('close', () => {
    if (!body.readableEnded) body.destroy();
  });
  body.on('data', arm);
  arm();
  body.pipe(out);
  return out;
}
