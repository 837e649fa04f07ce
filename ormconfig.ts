import 'reflect-metadata';
import { createDataSource } from './src/db/data-source';

/**
 * The DataSource for the TypeORM CLI (`npx typeorm -d dist/ormconfig.js migration:run`):
 * DATABASE_URL when set, else the embedded PGlite under DATA_DIR.
 */
export default createDataSource({
  url: process.env['DATABASE_URL'] || undefined,
  dataDir: process.env['DATA_DIR'] ?? 'data',
});
