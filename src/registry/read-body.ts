import type { Readable } from 'node:stream';

/**
 * Reads a response body into memory, up to `maxBytes`. Resolves `undefined` (and destroys the
 * stream) as soon as the body goes past the cap, so a hostile or broken server cannot make us
 * buffer an unbounded document.
 */
export async function readBody(body: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    length += bytes.length;
    if (length > maxBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, length);
}
