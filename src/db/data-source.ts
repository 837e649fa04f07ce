import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
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
  /** Where the pool reports a pooled connection that broke while idle. */
  log?: Logger;
}

/**
 * A connection attempt that gets no answer (a server behind a dropped route) fails after this
 * rather than waiting for the operating system's TCP timeout, which is minutes.
 */
const CONNECT_TIMEOUT_MS = 10_000;

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
    const { log } = options;
    return new DataSource({
      ...common,
      url: options.url,
      connectTimeoutMS: CONNECT_TIMEOUT_MS,
      // A connection can sit idle for a whole sync (the repository lock holds one): keepalive
      // probes stop a firewall or NAT from dropping it silently, and notice a dead peer.
      extra: { max: options.poolSize ?? 10, keepAlive: true },
      // An idle pooled connection that breaks is only dropped from the pool (the next query
      // gets a new one); pg-pool would crash the process on an 'error' nobody listens to.
      poolErrorHandler: (err: unknown) => log?.warn({ err }, 'idle database connection lost'),
    });
  }
  const dataDir = embeddedDataDir(options);
  mkdirSync(dataDir, { recursive: true });
  return new DataSource({
    ...common,
    driver: new PGliteDriver({ dataDir, extensions: { pgcrypto } }).driver,
  });
}
