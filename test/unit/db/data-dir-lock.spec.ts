import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lockDataDir } from '../../../src/db/data-dir-lock';

describe('lockDataDir', () => {
  let dir: string;

  beforeEach(async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'cs-lock-')), 'pg');
  });

  afterEach(() => rm(path.dirname(dir), { recursive: true, force: true }));

  it('refuses a second holder with DATA_DIR_LOCKED naming the directory', async () => {
    const release = await lockDataDir(dir);

    const second = lockDataDir(dir);

    await expect(second).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
      data: { path: dir },
    });
    await release();
  });

  it('can be taken again once released', async () => {
    const release = await lockDataDir(dir);
    await release();

    const again = await lockDataDir(dir);

    await again();
  });
});
