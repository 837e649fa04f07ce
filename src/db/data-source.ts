import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { PGliteDriver } from 'typeorm-pglite';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { JoinRowSubscriber } from './subscribers/join-row-subscriber';

export interface DatabaseOptions {
  /** A PostgreSQL URL; without one, the embedded PGlite under `dataDir` is used. */
  url?: string;
  dataDir?: string;
  /** Tests turn the subscribers off to prove that they are what makes the join rows. */
  subscribers?: boolean;
  poolSize?: number;
}

export function isEmbedded(options: DatabaseOptions): boolean {
  return !options.url;
}

/** Where the embedded database keeps its files. */
export function embeddedDataDir(options: DatabaseOptions): string {
  return path.resolve(options.dataDir ?? 'data', 'pg');
}

/** Builds (does not connect) the DataSource for real Postgres or the embedded PGlite. */
export function createDataSource(options: DatabaseOptions): DataSource {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    subscribers: options.subscribers === false ? [] : [JoinRowSubscriber],
    synchronize: false,
    migrationsRun: false,
    logging: false,
    uuidExtension: 'pgcrypto' as const,
  };
  if (options.url) {
    return new DataSource({ ...common, url: options.url, extra: { max: options.poolSize ?? 10 } });
  }
  const dataDir = embeddedDataDir(options);
  mkdirSync(dataDir, { recursive: true });
  return new DataSource({
    ...common,
    driver: new PGliteDriver({ dataDir, extensions: { pgcrypto } }).driver,
  });
}
