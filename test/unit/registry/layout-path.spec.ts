import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isInside, realPathInLayout } from '../../../src/registry/layout-path';

describe('isInside', () => {
  it.each([
    ['/srv/layout', '/srv/layout', true],
    ['/srv/layout', '/srv/layout/blobs/sha256/ab', true],
    ['/srv/layout', '/srv/layout/..hidden', true],
    ['/srv/layout', '/srv/layout-other/blobs', false],
    ['/srv/layout', '/srv', false],
    ['/srv/layout', '/etc/passwd', false],
  ])('%s holds %s: %s', (root, file, inside) => {
    expect(isInside(root, file)).toBe(inside);
  });
});

describe('realPathInLayout', () => {
  let base: string;
  let root: string;

  beforeEach(async () => {
    base = await realpath(await mkdtemp(path.join(tmpdir(), 'layout-path-')));
    root = path.join(base, 'layout');
    await mkdir(path.join(root, 'blobs'), { recursive: true });
    await writeFile(path.join(root, 'blobs', 'inside'), 'in');
    await writeFile(path.join(base, 'outside'), 'out');
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('gives the real path of a file inside, and undefined for a missing one', async () => {
    await symlink(path.join(root, 'blobs', 'inside'), path.join(root, 'blobs', 'alias'));

    await expect(realPathInLayout(root, 'blobs/alias')).resolves.toBe(
      path.join(root, 'blobs', 'inside'),
    );
    await expect(realPathInLayout(root, 'blobs/missing')).resolves.toBeUndefined();
  });

  it.each([
    ['a symlink to a file outside', 'blobs/link'],
    ['a relative path climbing out', '../outside'],
    ['a symlinked directory leading out', 'blobs/dir/outside'],
  ])('refuses %s as LAYOUT_INVALID', async (_, relative) => {
    await symlink(path.join(base, 'outside'), path.join(root, 'blobs', 'link'));
    await symlink(base, path.join(root, 'blobs', 'dir'));

    await expect(realPathInLayout(root, relative)).rejects.toMatchObject({
      code: 'LAYOUT_INVALID',
      message: `${relative} resolves outside the layout: ${path.join(base, 'outside')}`,
      data: { path: path.join(root, relative) },
    });
  });
});
