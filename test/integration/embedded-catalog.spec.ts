import { openCatalog } from '../../src/db/open-catalog';
import { freshDatabase } from '../harness/database';

describe('embedded catalogs in one process', () => {
  it('regression: a second embedded catalog is refused while one is open', async () => {
    // typeorm-pglite keeps one PGlite instance per process: before the fix, the second catalog
    // silently used the first one's database (a second rig saw the first rig's manifests).
    const first = await freshDatabase('pglite');
    const second = await freshDatabase('pglite');
    const opened = await openCatalog(first.options);
    try {
      await opened.catalog.ensureRepository('only-in-the-first');

      const opening = openCatalog(second.options);

      await expect(opening).rejects.toMatchObject({
        code: 'DATA_DIR_LOCKED',
        data: { path: expect.stringContaining(second.dataDir) },
      });
      const names: Array<{ name: string }> = await opened.catalog.read((m) =>
        m.query(`SELECT name FROM repository`),
      );
      expect(names).toEqual([{ name: 'only-in-the-first' }]);
    } finally {
      await opened.close();
      await first.drop();
      await second.drop();
    }
  });
});
