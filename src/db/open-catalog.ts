import { Catalog } from './catalog';
import { lockDataDir } from './data-dir-lock';
import { createDataSource, type DatabaseOptions, embeddedDataDir, isEmbedded } from './data-source';

/** Connects, applies pending migrations, and hands back the catalog with a way to close it. */
export async function openCatalog(options: DatabaseOptions & { migrate?: boolean }) {
  const unlock = isEmbedded(options) ? await lockDataDir(embeddedDataDir(options)) : undefined;
  const dataSource = createDataSource(options);
  try {
    await dataSource.initialize();
  } catch (err) {
    await unlock?.();
    throw err;
  }
  if (options.migrate !== false) await dataSource.runMigrations({ transaction: 'each' });
  const catalog = new Catalog(dataSource, { serialize: isEmbedded(options) });
  return {
    catalog,
    close: async () => {
      await dataSource.destroy();
      await unlock?.();
    },
  };
}
