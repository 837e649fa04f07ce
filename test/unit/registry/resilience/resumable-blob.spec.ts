import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { resumableBlob } from '../../../../src/registry/resilience/resumable-blob';
import { response } from './fakes';

const BLOB = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

/** A body that sends `bytes`, then fails as a dropped connection does. */
function dropsAfter(bytes: Buffer): Readable {
  return new Readable({
    read() {
      this.push(bytes);
      this.destroy(new Error('aborted'));
    },
  });
}

function whole(from = 0) {
  return response(
    200,
    { 'content-length': String(BLOB.length) },
    Readable.from([BLOB.subarray(from)]),
  );
}

function partial(start: number, end = BLOB.length) {
  return response(
    206,
    { 'content-range': `bytes ${start}-${end - 1}/${BLOB.length}` },
    Readable.from([BLOB.subarray(start, end)]),
  );
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('resumableBlob', () => {
  const first = () =>
    response(200, { 'content-length': String(BLOB.length) }, dropsAfter(BLOB.subarray(0, 400)));

  it('continues with a Range request where the dropped body stopped', async () => {
    const offsets: number[] = [];

    const bytes = await readAll(
      resumableBlob(first(), {
        reopen: (offset) => {
          offsets.push(offset);
          return Promise.resolve(partial(offset));
        },
      }),
    );

    expect(offsets).toEqual([400]);
    expect(sha(bytes)).toBe(sha(BLOB));
  });

  it('reads from the start again, skipping what it has, when Range is ignored', async () => {
    const bytes = await readAll(resumableBlob(first(), { reopen: () => Promise.resolve(whole()) }));

    expect(sha(bytes)).toBe(sha(BLOB));
  });

  it('asks for the whole blob when a 206 names another range', async () => {
    const offsets: number[] = [];

    const bytes = await readAll(
      resumableBlob(first(), {
        reopen: (offset) => {
          offsets.push(offset);
          return Promise.resolve(offset === 0 ? whole() : partial(100));
        },
      }),
    );

    expect(offsets).toEqual([400, 0]);
    expect(sha(bytes)).toBe(sha(BLOB));
  });

  it('resumes a body that ends cleanly before its Content-Length', async () => {
    const short = response(
      200,
      { 'content-length': String(BLOB.length) },
      Readable.from([BLOB.subarray(0, 600)]),
    );

    const bytes = await readAll(
      resumableBlob(short, { reopen: (o) => Promise.resolve(partial(o)) }),
    );

    expect(sha(bytes)).toBe(sha(BLOB));
  });

  it('fails BLOB_INCOMPLETE once the resumes are spent', async () => {
    let calls = 0;
    const stream = resumableBlob(first(), {
      maxResumes: 2,
      reopen: (offset) => {
        calls += 1;
        return Promise.resolve(
          response(
            206,
            { 'content-range': `bytes ${offset}-999/1000` },
            dropsAfter(BLOB.subarray(offset, offset + 10)),
          ),
        );
      },
    });

    await expect(readAll(stream)).rejects.toMatchObject({ code: 'BLOB_INCOMPLETE' });
    expect(calls).toBe(2);
  });

  it('passes on an error of the request that resumes', async () => {
    const stream = resumableBlob(first(), {
      reopen: () => Promise.reject(Object.assign(new Error('gone'), { code: 'NOT_FOUND' })),
    });

    await expect(readAll(stream)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
