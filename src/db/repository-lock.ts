import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { QueryRunner } from 'typeorm';
import { SyncError } from '../errors';
import { type AdvisoryKey, repositoryKey } from './advisory-keys';
import type { Catalog } from './catalog';

/** What to do when another process holds the lock: wait for it, or give up at once. */
export type WhenTaken = 'wait' | 'skip';

export interface LockOptions {
  whenTaken: WhenTaken;
  log: Logger;
  /** Stops a wait; it then fails as REPOSITORY_BUSY. */
  signal?: AbortSignal;
  /** How often a waiting process asks again. */
  pollMs?: number;
}

export interface RepositoryLock {
  /** Aborted, with a LOCK_LOST SyncError as its reason, when the lock is lost for good. */
  readonly lost: AbortSignal;
  /**
   * Resolves once the lock is held: at once, or, while it is being taken again after its
   * connection broke, when that ends (taken again, or lost and `lost` aborted). Never throws.
   */
  held(): Promise<void>;
  /** Lets go of the lock; never throws. */
  release(): Promise<void>;
}

const DEFAULT_POLL_MS = 1_000;

/**
 * Takes the repository's sync lock, so that one process at a time syncs it: a PostgreSQL
 * advisory lock on a key derived from the repository's name, held on one connection kept for
 * the whole run. It is a session lock: if the process dies, its connection closes and
 * PostgreSQL lets go of the lock, so a killed sync never leaves a repository locked.
 *
 * When another process holds it, `whenTaken: 'skip'` resolves undefined at once and 'wait'
 * polls until it is free (logged once), or until `signal` aborts the wait.
 *
 * The embedded PGlite needs no lock and gets a no-op one: only one process can open its data
 * directory (DATA_DIR_LOCKED), and within a process the daemon never syncs a repository twice
 * at once. (Advisory locks would not help there anyway: PGlite has one session, and a session
 * can take the same advisory lock any number of times.)
 */
export async function lockRepository(
  catalog: Catalog,
  name: string,
  options: LockOptions,
): Promise<RepositoryLock | undefined> {
  if (catalog.singleSession) {
    const nothing = async () => {};
    return { lost: new AbortController().signal, held: nothing, release: nothing };
  }
  const key = repositoryKey(name);
  // The fencing token lives on the repository's row.
  await catalog.ensureRepository(name);

  let announced = false;
  for (;;) {
    const taken = await catalog.withRetry('repository lock', () => takeLock(catalog, key, name));
    if (taken) return new HeldLock(catalog, name, key, taken, options.log);
    if (options.whenTaken === 'skip') return undefined;
    if (!announced) {
      options.log.info({ repository: name }, 'waiting for another process that syncs it');
      announced = true;
    }
    const aborted = await sleep(options.pollMs ?? DEFAULT_POLL_MS, false, {
      signal: options.signal,
    }).catch(() => true);
    if (aborted || options.signal?.aborted) {
      throw new SyncError(
        'REPOSITORY_BUSY',
        'stopped waiting for another process that syncs this repository',
        { repository: name },
      );
    }
  }
}

const BUMP_EPOCH = `
  WITH bumped AS (
    UPDATE repository SET sync_epoch = sync_epoch + 1 WHERE name = $1 RETURNING sync_epoch
  )
  SELECT sync_epoch FROM bumped`;
const READ_EPOCH = 'SELECT sync_epoch FROM repository WHERE name = $1';

interface Taken {
  runner: QueryRunner;
  epoch: string;
}

/**
 * One try at the lock on a new connection. Whoever takes it bumps the repository's fencing token
 * (sync_epoch) at once, before doing anything under it: an earlier holder that takes the lock
 * again afterwards sees the token moved. Taking it again reads the token without a bump.
 */
async function takeLock(catalog: Catalog, key: AdvisoryKey, name: string, bump = true) {
  const runner = catalog.dataSource.createQueryRunner();
  let locked = false;
  try {
    const [row] = (await runner.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [
      ...key,
    ])) as Array<{ locked: boolean }>;
    locked = row?.locked === true;
    if (!locked) {
      await runner.release();
      return undefined;
    }
    const [token] = (await runner.query(bump ? BUMP_EPOCH : READ_EPOCH, [name])) as Array<{
      sync_epoch: string;
    }>;
    const epoch = token?.sync_epoch;
    if (epoch === undefined) throw new Error(`repository ${name} has no row to lock`);
    return { runner, epoch } satisfies Taken;
  } catch (err) {
    await closeRunner(runner, locked ? key : undefined);
    throw err;
  }
}

/** Unlocks (when `key` is held) and hands the connection back; a dead one needs neither. */
async function closeRunner(runner: QueryRunner, key: AdvisoryKey | undefined): Promise<void> {
  if (key && !runner.isReleased) {
    await runner.query('SELECT pg_advisory_unlock($1, $2)', [...key]).catch(() => undefined);
  }
  await runner.release().catch(() => undefined);
}

/**
 * A lock held on one connection. If that connection breaks (the database restarted, a network
 * blip), PostgreSQL has let go of the lock, and another process may take it. The holder then
 * takes it again, retrying the connection like any catalog call, and compares the fencing token:
 * unchanged means nobody held the lock in between and the run goes on; changed, or the lock held
 * by someone else, or the database still gone when the retry window closes, and `lost` aborts
 * the run (it ends interrupted and makes no version).
 *
 * Until the lock is taken again the run keeps going. What it may commit in that gap is safe to
 * commit beside another process's sync: content rows are idempotent, and version creation is
 * serialized by a row lock (createNextVersion). A short overlap of two runs is then possible,
 * and ends as soon as the holder sees it.
 */
class HeldLock implements RepositoryLock {
  private readonly abort = new AbortController();
  private runner: QueryRunner | undefined;
  private unwatch: (() => void) | undefined;
  private retaking: Promise<void> | undefined;
  private released = false;
  private readonly epoch: string;
  readonly lost = this.abort.signal;

  constructor(
    private readonly catalog: Catalog,
    private readonly name: string,
    private readonly key: AdvisoryKey,
    taken: Taken,
    private readonly log: Logger,
  ) {
    this.epoch = taken.epoch;
    this.hold(taken.runner);
  }

  async held(): Promise<void> {
    await this.retaking;
  }

  async release(): Promise<void> {
    this.released = true;
    await this.retaking;
    this.unwatch?.();
    if (this.runner) await closeRunner(this.runner, this.key);
    this.runner = undefined;
  }

  /** Keeps `runner` as the lock's connection and watches it for the moment it breaks. */
  private hold(runner: QueryRunner): void {
    this.runner = runner;
    // The runner is connected (it ran the lock query); this hands back the pg client it holds.
    const client = (runner as unknown as { databaseConnection: EventEmitter }).databaseConnection;
    const onLost = (err?: unknown) => {
      // A broken client may still emit an 'error'; unheard, that would crash the process.
      client.on('error', ignore);
      this.connectionLost(err);
    };
    client.on('error', onLost);
    client.on('end', onLost);
    this.unwatch = () => {
      client.off('error', onLost);
      client.off('end', onLost);
    };
  }

  private connectionLost(err?: unknown): void {
    if (this.released || this.retaking || this.lost.aborted) return;
    this.unwatch?.();
    const runner = this.runner;
    this.runner = undefined;
    if (runner) void runner.release().catch(() => undefined);
    this.log.warn(
      { repository: this.name, err },
      'repository lock connection lost; taking it again',
    );
    this.retaking = this.retake().finally(() => (this.retaking = undefined));
  }

  private async retake(): Promise<void> {
    let taken: Taken | undefined;
    try {
      taken = await this.catalog.withRetry('repository lock', () =>
        takeLock(this.catalog, this.key, this.name, false),
      );
    } catch (err) {
      if (!this.released) this.lose('the database stayed unreachable', err);
      return;
    }
    if (this.released) {
      // The run ended meanwhile: nothing left to hold the lock for.
      if (taken) await closeRunner(taken.runner, this.key);
      return;
    }
    if (!taken) {
      this.lose('another process took it while the connection holding it was down');
      return;
    }
    if (taken.epoch !== this.epoch) {
      await closeRunner(taken.runner, this.key);
      this.lose('another process held it while the connection was down');
      return;
    }
    this.hold(taken.runner);
    this.log.info({ repository: this.name }, 'repository lock taken again');
  }

  private lose(why: string, cause?: unknown): void {
    const error = new SyncError(
      'LOCK_LOST',
      `lost the repository's sync lock: ${why}; the run stops without making a version`,
      { repository: this.name },
      { cause },
    );
    this.log.error({ err: error }, 'repository lock lost');
    this.abort.abort(error);
  }
}

function ignore(): void {}
