import path from 'node:path';
import pino from 'pino';
import { openAppContext } from '../../src/app/app-context';
import { syncWithLock } from '../../src/app/sync-with-lock';
import type { RepositoryConfig } from '../../src/config/sync-config';
import type { Catalog } from '../../src/db/catalog';
import type { ConnectionRetry } from '../../src/db/connection-retry';
import { openCatalog } from '../../src/db/open-catalog';
import { lockRepository, type RepositoryLock } from '../../src/db/repository-lock';
import { readVersionContent } from '../../src/db/version-content';
import { syncRepository, type SyncSummary } from '../../src/pipeline/sync-repository';
import { RegistryClient } from '../../src/registry/registry-client';
import { BlobStore } from '../../src/storage/blob-store';
import { checkConsistency } from '../harness/check-consistency';
import { ADMIN_URL, freshDatabase } from '../harness/database';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy';
import { catalogRows, expectedRows } from './catalog-expectations';

/**
 * The database connection cut in the middle of a sync, through a TCP proxy in front of the real
 * PostgreSQL: a short cut is ridden out by retrying the lost transaction, a long outage fails the
 * run cleanly, a connection lost at COMMIT is not retried, a run whose lock another process took
 * meanwhile stops, and the next run is exact each time.
 */

/** Far below the suite's two minutes: a sync that hangs on a dead connection fails here. */
const ENDS_WITHIN_MS = 30_000;

/** Short, so that a long outage is a few seconds; the backoff is the production one, scaled. */
const RETRY: ConnectionRetry = { windowMs: 1_500, baseMs: 50, maxMs: 400 };

const REPOSITORY = 'outage/app';

let registry: RunningRegistry;
let proxy: TcpProxy;
let generated: GeneratedRepository;

beforeAll(async () => {
  registry = await startRegistry();
  generated = await generateRepository({
    tags: 8,
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    seed: 'database outage',
    uniqueLayerBytes: 2_000,
  });
  await pushGenerated(registry.url, REPOSITORY, generated);
  const server = new URL(ADMIN_URL);
  proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

afterEach(() => {
  proxy.onClientData = undefined;
  proxy.accept();
});

interface Setup {
  /** Through the proxy, with the short retry window. */
  catalog: Catalog;
  /** Straight to the server: what the test reads to check the sync. */
  direct: Catalog;
  store: BlobStore;
  logs: Array<Record<string, unknown>>;
  sync(onBatchSaved?: (batch: number) => void): Promise<SyncSummary>;
  close(): Promise<void>;
}

async function setUp(): Promise<Setup> {
  const db = await freshDatabase('postgres');
  const logs: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const direct = await openCatalog(db.options);
  const proxied = await openCatalog({
    url: proxy.urlThrough(db.options.url!),
    retry: RETRY,
    log,
    migrate: false,
  });
  const store = new BlobStore(path.join(db.dataDir, 'store'));
  return {
    catalog: proxied.catalog,
    direct: direct.catalog,
    store,
    logs,
    sync: (onBatchSaved) =>
      syncRepository(
        {
          catalog: proxied.catalog,
          store,
          log,
          onBatchSaved: (batch) => onBatchSaved?.(batch.number),
        },
        {
          name: REPOSITORY,
          upstream: new RegistryClient({ registryUrl: registry.url, repository: REPOSITORY }),
          mirror: false,
          pipeline: {
            batchSize: 4,
            tagConcurrency: 2,
            childConcurrency: 2,
            downloadConcurrency: 2,
            tagFilter: () => true,
          },
        },
      ),
    close: async () => {
      await proxied.close();
      await direct.close();
      await db.drop();
    },
  };
}

/** The version holds every tag, and the catalog exactly the generated rows, consistent. */
async function expectExactCatalog(setup: Setup, version: number): Promise<void> {
  const content = await setup.direct.read((m) => readVersionContent(m, REPOSITORY));
  expect(content.version).toBe(version);
  expect(content.tags).toEqual(generated.tags);
  expect(await catalogRows(setup.direct)).toEqual(expectedRows(generated.manifests));
  const found = await checkConsistency(setup.direct, setup.store);
  expect(Object.values(found).flat()).toEqual([]);
}

function messages(logs: Array<Record<string, unknown>>, msg: string) {
  return logs.filter((line) => line['msg'] === msg);
}

it(
  'rides out a short outage after the second batch: the lost work is retried, the run succeeds',
  async () => {
    const setup = await setUp();
    try {
      const summary = await setup.sync((batch) => {
        if (batch !== 2) return;
        proxy.cut({ reset: true });
        proxy.refuse();
        setTimeout(() => proxy.accept(), 400);
      });

      expect(summary).toMatchObject({ result: 'success', version: 1, failed: [] });
      expect(summary.tags).toBe(Object.keys(generated.tags).length);
      const retries = messages(setup.logs, 'database connection lost; retrying');
      expect(retries.length).toBeGreaterThan(0);
      expect((retries[0]!['err'] as { code?: string }).code).toBe('ECONNRESET');
      await expectExactCatalog(setup, 1);
    } finally {
      await setup.close();
    }
  },
  ENDS_WITHIN_MS,
);

// The manifest rows are the batch's own work; the join rows are written by the subscriber as
// the commit begins, before COMMIT itself goes out: neither is in doubt, both are retried.
it.each(['INSERT INTO "manifest"', 'INSERT INTO manifest_blob'])(
  'retries a batch whose connection is cut in the middle of its transaction, at %s',
  async (statement) => {
    const setup = await setUp();
    let seen = 0;
    proxy.onClientData = (chunk) => {
      if (chunk.includes(statement) && ++seen === 2) proxy.cut();
    };
    try {
      const summary = await setup.sync();

      expect(summary).toMatchObject({ result: 'success', version: 1, failed: [] });
      const retries = messages(setup.logs, 'database connection lost; retrying');
      expect(retries.map((line) => line['what'])).toEqual(['transaction']);
      expect((retries[0]!['err'] as { message: string }).message).toMatch(
        /Connection terminated unexpectedly|already released/,
      );
      await expectExactCatalog(setup, 1);
    } finally {
      await setup.close();
    }
  },
  ENDS_WITHIN_MS,
);

it(
  'fails cleanly with DATABASE_ERROR when the outage outlasts the retries; the next run is exact',
  async () => {
    const setup = await setUp();
    try {
      const started = Date.now();
      const failed = await setup.sync((batch) => {
        if (batch !== 2) return;
        proxy.refuse();
        proxy.cut();
      });
      const elapsed = Date.now() - started;

      expect(failed).toMatchObject({ result: 'failed', version: null });
      expect(failed.error).toMatchObject({ code: 'DATABASE_ERROR' });
      expect(failed.error!['message']).toMatch(/^database connection lost: .* attempts over /);
      // Two windows at most: the batch's, then the failed run's record.
      expect(elapsed).toBeLessThan(2 * RETRY.windowMs + 5_000);
      const notRecorded = messages(setup.logs, 'could not record the failed run');
      expect(notRecorded).toHaveLength(1);
      expect((notRecorded[0]!['err'] as { code?: string }).code).toBe('DATABASE_ERROR');
      proxy.accept();
      const runs: Array<{ result: string; ended_at: Date | null }> = await setup.direct.read((m) =>
        m.query('SELECT result, ended_at FROM sync_run'),
      );
      expect(runs).toEqual([{ result: 'running', ended_at: null }]);
      const found = await checkConsistency(setup.direct, setup.store);
      expect(Object.values(found).flat()).toEqual([]);

      const next = await setup.sync();

      expect(next).toMatchObject({ result: 'success', version: 1, failed: [] });
      await expectExactCatalog(setup, 1);
    } finally {
      await setup.close();
    }
  },
  ENDS_WITHIN_MS,
);

it(
  'does not retry a transaction whose COMMIT was cut off: the run fails, the next is exact',
  async () => {
    const setup = await setUp();
    let commits = 0;
    // 1: the repository row, 2: the run row, 3 and 4: the first two batches. Only the
    // connection that carries it is cut: nothing else has a reason to retry.
    proxy.onClientData = (chunk, cutThis) => {
      if (chunk.includes('COMMIT') && ++commits === 4) cutThis();
    };
    try {
      const failed = await setup.sync();
      proxy.onClientData = undefined;

      expect(failed).toMatchObject({ result: 'failed', version: null });
      expect(failed.error).toMatchObject({ code: 'DATABASE_ERROR' });
      expect(failed.error!['message']).toMatch(
        /^database connection lost during COMMIT; the transaction may or may not have been applied/,
      );
      expect(messages(setup.logs, 'database connection lost; retrying')).toEqual([]);
      expect(messages(setup.logs, 'could not record the failed run')).toEqual([]);
      const runs: Array<{ result: string }> = await setup.direct.read((m) =>
        m.query('SELECT result FROM sync_run'),
      );
      expect(runs).toEqual([{ result: 'failed' }]);
      const found = await checkConsistency(setup.direct, setup.store);
      expect(Object.values(found).flat()).toEqual([]);

      const next = await setup.sync();

      expect(next).toMatchObject({ result: 'success', version: 1, failed: [] });
      await expectExactCatalog(setup, 1);
    } finally {
      await setup.close();
    }
  },
  ENDS_WITHIN_MS,
);

it(
  'stops a run whose lock another process took while the database was out: LOCK_LOST, no version',
  async () => {
    const db = await freshDatabase('postgres');
    const direct = await openCatalog(db.options);
    const logs: Array<Record<string, unknown>> = [];
    let intruder: Promise<RepositoryLock | undefined> | undefined;
    const log = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry['msg'] !== 'batch saved' || entry['batch'] !== 2 || intruder) return;
          // The database goes away for this process; another one takes the lock meanwhile.
          proxy.refuse();
          proxy.cut();
          intruder = lockRepository(direct.catalog, REPOSITORY, {
            whenTaken: 'wait',
            log: pino({ level: 'silent' }),
            pollMs: 50,
          }).finally(() => proxy.accept());
        },
      },
    );
    const app = await openAppContext({
      dataDir: db.dataDir,
      databaseUrl: proxy.urlThrough(db.options.url!),
      databaseRetryMs: 10_000,
      log,
    });
    const config: RepositoryConfig = {
      name: REPOSITORY,
      upstream: {
        kind: 'registry',
        url: registry.url,
        repository: REPOSITORY,
        tls: { insecure: false },
      },
      include: [],
      exclude: [],
      digests: [],
      policy: 'immediate',
      mirror: false,
      intervalMs: 3_600_000,
      concurrency: 2,
      batchSize: 4,
      signatures: { gpgKeys: [], cosignKeys: [], checkReference: false, signedOnly: false },
    };
    try {
      const stopped = await syncWithLock(app, config, { whenLocked: 'skip' });
      await (await intruder)?.release();
      const next = await syncWithLock(app, config, { whenLocked: 'skip' });

      expect(stopped).toMatchObject({ result: 'interrupted', version: null });
      expect(stopped!.error).toEqual({
        code: 'LOCK_LOST',
        message:
          "lost the repository's sync lock: another process took it while the connection " +
          'holding it was down; the run stops without making a version',
        repository: REPOSITORY,
      });
      expect(messages(logs, 'repository lock lost')).toHaveLength(1);
      expect(next).toMatchObject({ result: 'success', version: 1, failed: [] });
      const runs: Array<{ result: string; version_number: number | null }> =
        await direct.catalog.read((m) =>
          m.query('SELECT result, version_number FROM sync_run ORDER BY started_at'),
        );
      expect(runs).toEqual([
        { result: 'interrupted', version_number: null },
        { result: 'success', version_number: 1 },
      ]);
      const content = await direct.catalog.read((m) => readVersionContent(m, REPOSITORY));
      expect(content.tags).toEqual(generated.tags);
      expect(await catalogRows(direct.catalog)).toEqual(expectedRows(generated.manifests));
      const found = await checkConsistency(direct.catalog, app.store);
      expect(Object.values(found).flat()).toEqual([]);
    } finally {
      await app.close();
      await direct.close();
      await db.drop();
    }
  },
  ENDS_WITHIN_MS,
);
