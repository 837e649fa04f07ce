import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore } from '../../../src/storage/blob-store';

const HEX = 'c0'.repeat(32);

/** Values a hostile manifest or index could pass off as digests. */
const BAD_DIGESTS = [
  'sha256:../../../etc/passwd',
  `sha256:../../${HEX.slice(6)}`,
  `sha256:${HEX.toUpperCase()}`,
  `sha256:${HEX.slice(1)}`,
  `sha256:${HEX}0`,
  `sha256:${HEX}/../x`,
  `sha256:${HEX}\n`,
  `sha256:/${HEX.slice(1)}`,
  `sha512:${HEX}`,
  `md5:${HEX.slice(0, 32)}`,
  `SHA256:${HEX}`,
  `sha256:${HEX.slice(0, 32)}${'g'.repeat(32)}`,
  '',
];

/**
 * The blob store names a file only for a digest that passes the grammar, so none of these
 * reaches the disk: every operation fails DIGEST_INVALID and the directory the store sits in
 * stays as it was, the store's own root included.
 */
describe('BlobStore with a bad digest', () => {
  let sandbox: string;
  let store: BlobStore;

  beforeEach(async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'blob-store-digests-'));
    await mkdir(join(sandbox, 'etc'));
    store = new BlobStore(join(sandbox, 'data', 'store'));
  });

  afterEach(async () => {
    await rm(sandbox, { recursive: true, force: true });
  });

  it.each(BAD_DIGESTS)('refuses %j for every operation and creates nothing', async (bad) => {
    const invalid = { code: 'DIGEST_INVALID', data: { digest: bad } };

    await expect(store.write(bad, Readable.from([Buffer.from('x')]))).rejects.toMatchObject(
      invalid,
    );
    await expect(store.sizeOf(bad)).rejects.toMatchObject(invalid);
    await expect(store.has(bad)).rejects.toMatchObject(invalid);
    await expect(store.read(bad)).rejects.toMatchObject(invalid);
    expect(() => store.pathOf(bad)).toThrow(expect.objectContaining(invalid));

    expect(await readdir(sandbox, { recursive: true })).toEqual(['etc']);
  });

  it('quotes the refused value in the message, cut at 200 characters', async () => {
    const long = `sha256:${'../'.repeat(100)}`;

    const writing = store.write(long, Readable.from([]));

    await expect(writing).rejects.toMatchObject({
      message: `not a valid digest: ${JSON.stringify(long.slice(0, 200))}`,
      data: { digest: long.slice(0, 200) },
    });
  });
});
