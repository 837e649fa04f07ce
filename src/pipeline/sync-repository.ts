import type { Logger } from 'pino';
import { isDigest } from '../content/digest';
import { crashPoint } from '../crash-points';
import { abandonRunningRuns } from '../db/abandon-running-runs';
import type { Catalog } from '../db/catalog';
import { SyncRun } from '../db/entities/sync-run';
import { createNextVersion } from '../db/repository-versions';
import { toSyncError } from '../errors';
import type { Upstream } from '../registry/upstream';
import { createSignatureChecker } from '../signatures/signature-sources';
import { NO_SIGNATURE_OPTIONS, type SignatureOptions } from '../signatures/signature-options';
import type { BlobStore } from '../storage/blob-store';
import { runPipeline } from './run-pipeline';
import {
  type BatchObserver,
  type FailedReference,
  type PipelineOptions,
  type SkippedReference,
  SyncContext,
} from './sync-context';

export interface RepositorySync {
  /** The local repository's name. */
  name: string;
  upstream: Upstream;
  mirror: boolean;
  pipeline: PipelineOptions;
  /** The repository's name upstream, for the lookaside store's paths (default: `name`). */
  upstreamRepository?: string;
  signatures?: SignatureOptions;
}

export interface SyncSummary {
  repository: string;
  result: 'success' | 'partial' | 'failed' | 'interrupted';
  version: number | null;
  tags: number;
  manifests: number;
  blobs: number;
  bytes: number;
  requests: Record<string, number>;
  rowsPerSecond: number;
  durationMs: number;
  signatures: number;
  /** Every reference that failed, by name, each naming its repository so it reads alone. */
  failed: Array<{ repository: string } & FailedReference>;
  /** Left out on purpose (signed_only), with the reason. */
  skipped: SkippedReference[];
  error?: Record<string, unknown>;
}

export interface SyncDeps {
  catalog: Catalog;
  store: BlobStore;
  log: Logger;
  onBatchSaved?: BatchObserver;
  /** Aborting stops the sync between batches; it then makes no version. */
  signal?: AbortSignal;
  /**
   * Awaited once the pipeline is done, before the version is made: a run whose repository lock
   * is being taken again after a lost connection waits here until it holds it again, or until
   * `signal` aborts because the lock was lost.
   */
  beforeVersion?: () => Promise<void>;
}

/**
 * Syncs one repository: records a SyncRun, runs the pipeline, and makes the next version in one
 * transaction with the run's end. A run that throws makes no version; what its batches saved
 * stays in the catalog (content rows are shared and idempotent), so the next run reuses it. A
 * run whose process was killed never records its end: the next one marks it abandoned.
 */
export async function syncRepository(deps: SyncDeps, sync: RepositorySync): Promise<SyncSummary> {
  const started = Date.now();
  const log = deps.log.child({ repository: sync.name, upstream: sync.upstream.description });
  const repository = await deps.catalog.ensureRepository(sync.name);
  const { run, abandoned } = await deps.catalog.transaction(async (m) => {
    const abandoned = await abandonRunningRuns(m, repository.id);
    const run = await m.save(
      Object.assign(new SyncRun(), {
        repositoryId: repository.id,
        startedAt: new Date(started),
        result: 'running',
        counts: {},
      }),
    );
    return { run, abandoned };
  });
  for (const old of abandoned) {
    const startedAt = old.startedAt.toISOString();
    log.warn({ syncRun: old.id, startedAt }, 'run that never recorded its end marked abandoned');
  }
  crashPoint('run.started', { syncRun: run.id });
  const runLog = log.child({ syncRun: run.id });
  const allTags = new Set<string>();
  const signatures = createSignatureChecker({
    upstream: sync.upstream,
    upstreamRepository: sync.upstreamRepository ?? sync.name,
    tags: allTags,
    signatures: sync.signatures ?? NO_SIGNATURE_OPTIONS,
    log: runLog,
  });
  const ctx = new SyncContext(
    sync.upstream,
    deps.catalog,
    deps.store,
    runLog,
    sync.pipeline,
    deps.onBatchSaved,
    deps.signal,
    signatures,
    allTags,
  );
  runLog.info('sync started');

  let summary: SyncSummary;
  try {
    for (const manifest of await deps.catalog.liveManifests(repository.id)) {
      ctx.liveManifests.set(manifest.digest, manifest);
    }
    // No separate ping: the tag list is the first request and fails as clearly, so a sync with
    // no upstream change costs exactly the tag list pages and one HEAD per tag.
    ctx.catalogHadManifests = !(await deps.catalog.hasNoManifests());
    const saved = await runPipeline(ctx);
    await deps.beforeVersion?.();
    if (deps.signal?.aborted) {
      summary = makeSummary(ctx, sync, 'interrupted', null, started);
      await deps.catalog.transaction((m) => m.save(Object.assign(run, endOf(summary))));
      runLog.warn(summary, 'sync interrupted; what was saved is kept for the next run');
      return summary;
    }
    if (sync.signatures?.signedOnly && ctx.skipped.length > 0 && ctx.counts.tags === 0) {
      runLog.warn({ skipped: ctx.skipped.length }, 'signed_only left nothing to sync');
    }
    const failedRefs = ctx.failed.map((f) => f.reference);
    const result = ctx.failed.length > 0 ? 'partial' : 'success';
    crashPoint('version.before');
    const version = await deps.catalog.transaction(async (m) => {
      const synced = { ...saved, manifestIds: [...ctx.untagged.values()] };
      const change = await createNextVersion(m, repository.id, synced, {
        mirror: sync.mirror,
        syncRunId: run.id,
        keepTagNames: failedRefs.filter((ref) => !isDigest(ref)),
        keepManifestDigests: failedRefs.filter(isDigest),
      });
      summary = makeSummary(ctx, sync, result, change.number, started);
      await m.save(Object.assign(run, endOf(summary)));
      crashPoint('version.inside', { version: change.number });
      return change;
    });
    crashPoint('version.committed', { version: version.number });
    const { repository: _name, ...fields } = summary!;
    runLog.info({ ...fields, added: version.added, removed: version.removed }, 'sync finished');
    return summary!;
  } catch (err) {
    const error = toSyncError(err, 'INTERNAL', { repository: sync.name });
    summary = { ...makeSummary(ctx, sync, 'failed', null, started), error: error.toJSON() };
    runLog.error({ err: error, ...summary }, 'sync failed');
    await deps.catalog
      .transaction((m) => m.save(Object.assign(run, endOf(summary))))
      .catch((dbErr: unknown) => runLog.error({ err: dbErr }, 'could not record the failed run'));
    return summary;
  }
}

function makeSummary(
  ctx: SyncContext,
  sync: RepositorySync,
  result: SyncSummary['result'],
  version: number | null,
  started: number,
): SyncSummary {
  const durationMs = Date.now() - started;
  return {
    repository: sync.name,
    result,
    version,
    tags: ctx.counts.tags,
    manifests: ctx.counts.manifests,
    blobs: ctx.counts.blobs,
    bytes: ctx.counts.bytes,
    requests: { ...sync.upstream.requests },
    rowsPerSecond: Math.round((ctx.counts.rows * 1000) / Math.max(durationMs, 1)),
    durationMs,
    signatures: ctx.counts.signatures,
    failed: ctx.failed
      .map((failure) => ({ repository: sync.name, ...failure }))
      .sort((a, b) => a.reference.localeCompare(b.reference)),
    skipped: ctx.skipped,
  };
}

function endOf(summary: SyncSummary): Partial<SyncRun> {
  return {
    endedAt: new Date(),
    result: summary.result,
    versionNumber: summary.version,
    counts: {
      tags: summary.tags,
      manifests: summary.manifests,
      blobs: summary.blobs,
      bytes: summary.bytes,
      failed: summary.failed.length,
    },
    error: summary.error ?? (summary.failed.length ? { failed: summary.failed } : null),
  };
}
