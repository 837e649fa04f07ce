import { Mutex } from 'async-mutex';
import type { Logger } from 'pino';
import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { SyncError } from '../errors';
import { isConnectionLost, messageOf } from './connection-lost';
import {
  type ConnectionRetry,
  DEFAULT_CONNECTION_RETRY,
  retryConnectionLoss,
} from './connection-retry';
import { Manifest } from './entities/manifest';
import { Repository } from './entities/repository';

export interface CatalogOptions {
  /** The embedded PGlite: one session for the whole process, so work takes turns on it. */
  serialize: boolean;
  /** How long a lost database connection is tried again (default DEFAULT_CONNECTION_RETRY). */
  retry?: ConnectionRetry;
  /** Where retries are logged; silent without one. */
  log?: Logger;
}

/**
 * The one door to the database. On real Postgres every call gets a pooled connection; the
 * embedded PGlite has a single session for the whole process (typeorm-pglite shares it between
 * query runners), so there every unit of work waits its turn on one queue, or two transactions
 * would interleave on the same session.
 *
 * A unit of work whose connection is lost before it commits is run again on a new connection,
 * with backoff, for as long as `retry.windowMs` allows: a long-running mirror should ride out a
 * database restart. That is safe because the server rolled the lost attempt back, and each unit
 * of work reads what it needs inside itself, so a second attempt is as good as a first (the
 * writes are idempotent besides: inserts by natural key, updates by id). A connection lost
 * during COMMIT is different: the commit may or may not have happened, so that is not retried
 * and fails as a DATABASE_ERROR that says so. Database failures leave here as DATABASE_ERROR.
 */
export class Catalog {
  /** One session for the whole process (PGlite), which also only one process can open. */
  readonly singleSession: boolean;
  private readonly queue: Mutex | undefined;
  private readonly retry: ConnectionRetry;
  private readonly log: Logger | undefined;

  constructor(
    readonly dataSource: DataSource,
    options: CatalogOptions,
  ) {
    this.singleSession = options.serialize;
    this.queue = options.serialize ? new Mutex() : undefined;
    this.retry = options.retry ?? DEFAULT_CONNECTION_RETRY;
    this.log = options.log;
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.withRetry('transaction', () => this.exclusive(() => this.runTransaction(work)));
  }

  /** Runs reads outside a transaction. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.withRetry('read', () => this.exclusive(() => work(this.dataSource.manager)));
  }

  /** Retries a lost connection within the window and turns database failures into SyncErrors. */
  async withRetry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    const onRetry = (err: unknown, next: number, waitMs: number) =>
      this.log?.warn({ err, what, attempt: next, waitMs }, 'database connection lost; retrying');
    try {
      return await retryConnectionLoss(attempt, this.retry, onRetry);
    } catch (err) {
      throw asDatabaseError(err);
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.runExclusive(work) : work();
  }

  /**
   * What `DataSource.transaction` does, except that a failure during COMMIT is told apart from
   * one before it: only a failure before COMMIT is known to have left nothing behind.
   */
  private async runTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    let committing = false;
    try {
      await runner.connect();
      await runner.startTransaction();
      const result = await work(runner.manager);
      committing = true;
      await runner.commitTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      if (committing && commitMayHaveHappened(err)) throw commitInDoubt(err);
      throw err;
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  /** Manifests already in the catalog, by digest: these are never fetched again. */
  async knownManifests(digests: string[]): Promise<Map<string, Manifest>> {
    if (digests.length === 0) return new Map();
    const rows = await this.read((m) =>
      m
        .createQueryBuilder(Manifest, 'm')
        .select(['m.id', 'm.digest', 'm.mediaType', 'm.kind'])
        .where('m.digest IN (:...digests)', { digests })
        .getMany(),
    );
    return new Map(rows.map((row) => [row.digest, row]));
  }

  /** Whether the catalog holds no manifest at all (a first sync into a new database). */
  async hasNoManifests(): Promise<boolean> {
    const rows: Array<{ empty: boolean }> = await this.read((m) =>
      m.query('SELECT NOT EXISTS (SELECT 1 FROM manifest) AS empty'),
    );
    return rows[0]?.empty === true;
  }

  /** Child digests of a list the catalog has. */
  async childDigests(listDigest: string): Promise<string[]> {
    const rows: Array<{ digest: string }> = await this.read((m) =>
      m.query(
        `SELECT c.digest FROM manifest l
           JOIN manifest_list_manifest e ON e.list_id = l.id
           JOIN manifest c ON c.id = e.child_id
          WHERE l.digest = $1 ORDER BY c.digest`,
        [listDigest],
      ),
    );
    return rows.map((r) => r.digest);
  }

  /**
   * The manifests in the latest version of a repository, with what `knownManifests` gives of
   * each: read once as a run starts, they spare a tag that did not move a query of its own.
   */
  async liveManifests(repositoryId: string): Promise<Manifest[]> {
    const rows: Array<Pick<Manifest, 'id' | 'digest' | 'mediaType' | 'kind'>> = await this.read(
      (m) =>
        m.query(
          `SELECT m.id, m.digest, m.media_type AS "mediaType", m.kind
             FROM repository_content rc JOIN manifest m ON m.id = rc.content_id
            WHERE rc.repository_id = $1 AND rc.content_type = 'manifest'
              AND rc.version_removed IS NULL`,
          [repositoryId],
        ),
    );
    return rows.map((row) => Object.assign(new Manifest(), row));
  }

  /** Every manifest reached from these digests through lists, themselves included. */
  async reachableDigests(digests: string[]): Promise<string[]> {
    if (digests.length === 0) return [];
    const rows: Array<{ digest: string }> = await this.read((m) =>
      m.query(
        `WITH RECURSIVE reached (id) AS (
           SELECT id FROM manifest WHERE digest = ANY($1::varchar[])
           UNION
           SELECT e.child_id FROM manifest_list_manifest e JOIN reached r ON e.list_id = r.id
         )
         SELECT m.digest FROM manifest m JOIN reached r ON r.id = m.id`,
        [digests],
      ),
    );
    return rows.map((r) => r.digest);
  }

  async ensureRepository(name: string): Promise<Repository> {
    return this.transaction(async (m) => {
      await m
        .createQueryBuilder()
        .insert()
        .into(Repository)
        .values({ name })
        .orIgnore()
        .updateEntity(false)
        .execute();
      return m.findOneByOrFail(Repository, { name });
    });
  }
}

/** Statements the database refused and lost connections, as the error the sync reports. */
function asDatabaseError(err: unknown): unknown {
  if (err instanceof SyncError) return err;
  if (!(err instanceof QueryFailedError) && !isConnectionLost(err)) return err;
  const message = messageOf(err);
  return new SyncError('DATABASE_ERROR', message, {}, { cause: err });
}

/**
 * Whether a connection lost while committing may have let the COMMIT through. Committing starts
 * with the subscribers' statements (the join rows): a failure that names one of those, or a
 * runner released before COMMIT went out, left nothing behind and can be retried.
 */
function commitMayHaveHappened(err: unknown): boolean {
  if (!isConnectionLost(err)) return false;
  const { query, name } = err as { query?: unknown; name?: unknown };
  if (name === 'QueryRunnerProviderAlreadyReleasedError') return false;
  return typeof query !== 'string' || query === 'COMMIT';
}

function commitInDoubt(err: unknown): SyncError {
  const reason = messageOf(err);
  return new SyncError(
    'DATABASE_ERROR',
    `database connection lost during COMMIT; the transaction may or may not have been applied: ${reason}`,
    {},
    { cause: err },
  );
}
