import { Catalog } from './catalog';
import { createDataSource, type DatabaseOptions, isEmbedded } from './data-source';

/** Connects, applies pending migrations, and hands back the catalog with a way to close it. */
export async function openCatalog(options: DatabaseOptions & { migrate?: boolean }) {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  if (options.migrate !== false) await dataSource.runMigrations({ transaction: 'each' });
  const catalog = new Catalog(dataSource, { serialize: isEmbedded(options) });
  return {
    catalog,
    close: () => dataSource.destroy(),
  };
}
