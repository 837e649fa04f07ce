import type { Logger } from 'pino';
import { Subject } from 'rxjs';
import type { Catalog } from '../db/catalog';
import type { BlobStore } from '../storage/blob-store';
import type { Upstream } from '../registry/upstream';
import type { AnyDc, BlobDc, ManifestDc } from './declarative-content';

export interface PipelineOptions {
  batchSize: number;
  /** Tags worked on at once by the first stage. */
  tagConcurrency: number;
  /** Child manifests of one list fetched at once. */
  childConcurrency: number;
  /** Blob downloads at once. */
  downloadConcurrency: number;
  /** Tags kept by the filter (includes, then excludes). */
  tagFilter: (tag: string) => boolean;
}

/** Called after each batch commits: tests use it to check the save order. */
export type BatchObserver = (batch: { number: number; items: readonly AnyDc[] }) => void;

/** A failed or skipped reference, for the run summary. */
export interface FailedReference {
  reference: string;
  digest?: string;
  code: string;
  message: string;
}

/** Everything the stages of one sync run share; passed in, never reached through globals. */
export class SyncContext {
  /** Items the first stage waits on: the batch stage flushes a batch that holds one. */
  readonly waits$ = new Subject<readonly AnyDc[]>();
  /** One DC per digest per run, so content shared by tags is fetched and saved once. */
  readonly blobs = new Map<string, BlobDc>();
  readonly manifests = new Map<string, ManifestDc>();
  readonly failed: FailedReference[] = [];
  readonly counts = { tags: 0, manifests: 0, blobs: 0, bytes: 0, batches: 0, rows: 0 };

  constructor(
    readonly upstream: Upstream,
    readonly catalog: Catalog,
    readonly store: BlobStore,
    readonly log: Logger,
    readonly options: PipelineOptions,
    readonly onBatchSaved?: BatchObserver,
  ) {}
}
