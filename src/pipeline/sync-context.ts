import type { Logger } from 'pino';
import { BehaviorSubject, Subject } from 'rxjs';
import type { Catalog } from '../db/catalog';
import type { Manifest } from '../db/entities/manifest';
import type { BlobStore } from '../storage/blob-store';
import type { Upstream } from '../registry/upstream';
import type { SignatureChecker } from '../signatures/signature-checker';
import type { AnyDc, BlobDc, ManifestDc } from './declarative-content';
import { RunContent } from './run-content';

/** Settled DCs kept per kind for sharing; memory stays flat however big the repository is. */
const SETTLED_CAP = 1024;

export interface PipelineOptions {
  batchSize: number;
  /** immediate: every blob is downloaded; on_demand: config blobs only, layers are recorded. */
  policy?: 'immediate' | 'on_demand';
  /** Tags worked on at once by the first stage. */
  tagConcurrency: number;
  /** Child manifests of one list fetched at once. */
  childConcurrency: number;
  /** Blob downloads at once. */
  downloadConcurrency: number;
  /** Tags kept by the filter (includes, then excludes). */
  tagFilter: (tag: string) => boolean;
  /** Manifests to sync by digest, without a tag. */
  digests?: string[];
}

/** Called after each batch commits: tests use it to check the save order. */
export type BatchObserver = (batch: { number: number; items: readonly AnyDc[] }) => void;

/** A reference left out on purpose (signed_only), with why. */
export interface SkippedReference {
  reference: string;
  digest?: string;
  reason: string;
}

/** A failed reference, for the run summary. */
export interface FailedReference {
  /** The tag (or digest include) that failed. */
  reference: string;
  /** The document that was bad: the reference's manifest, or a child or blob of it. */
  digest?: string;
  /** The manifest that document belongs to, where it is a child or blob of one. */
  manifest?: string;
  code: string;
  message: string;
}

/** Everything the stages of one sync run share; passed in, never reached through globals. */
export class SyncContext {
  /** Items the first stage waits on: the batch stage flushes a batch that holds one. */
  readonly waits$ = new Subject<readonly AnyDc[]>();
  /** Whether a batch is being saved: the batch stage holds early flushes back meanwhile. */
  readonly saving$ = new BehaviorSubject(false);
  /** One DC per digest in flight, and recently settled ones: shared content is put once. */
  readonly blobs = new RunContent<BlobDc>(SETTLED_CAP);
  readonly manifests = new RunContent<ManifestDc>(SETTLED_CAP);
  /** Every manifest fetched this run, by digest: the companion rounds look for their tags. */
  readonly fetched = new Set<string>();
  readonly failed: FailedReference[] = [];
  readonly skipped: SkippedReference[] = [];
  /** Tags and digests the first stage took up, so a companion round does not take them again. */
  readonly processedRefs = new Set<string>();
  /**
   * Manifests of the repository's latest version, read as the run starts. A manifest the catalog
   * has that is not among them was saved by another repository or by a run that died before its
   * version: its signatures were never looked up for this repository. A tag that still points
   * at one of them needs no query to know it.
   */
  readonly liveManifests = new Map<string, Manifest>();
  /** Manifests tags pointed at that the catalog already had (not fetched this run). */
  readonly knownRoots = new Set<string>();
  /** Companion tags held back from the first pass under signed_only, for the rounds. */
  readonly deferredCompanions = new Set<string>();
  /** References the companion rounds took up: they follow their subject under signed_only. */
  readonly companionRefs = new Set<string>();
  /** Signatures put this run, so one found twice (two sources, two tags) is put once. */
  readonly signatureDigests = new Set<string>();
  /** Manifests whose referrers were asked for this run. */
  readonly referrersChecked = new Set<string>();
  /** Manifests synced by digest without a tag (digest includes): digest to row id. */
  readonly untagged = new Map<string, string>();
  /**
   * Whether the catalog held any manifest as the run started. When it held none (a first sync
   * into a new catalog), the only manifests it can know are those this run fetched: a tag's
   * manifest is fetched without a HEAD first, and a list's children are not looked up.
   */
  catalogHadManifests = true;
  readonly counts = {
    tags: 0,
    manifests: 0,
    signatures: 0,
    blobs: 0,
    bytes: 0,
    batches: 0,
    rows: 0,
  };

  constructor(
    readonly upstream: Upstream,
    readonly catalog: Catalog,
    readonly store: BlobStore,
    readonly log: Logger,
    readonly options: PipelineOptions,
    readonly onBatchSaved?: BatchObserver,
    /** Aborting stops new work; what is downloading finishes and the last batch commits. */
    readonly signal?: AbortSignal,
    /** Finds and judges signatures; none: signatures are not looked for. */
    readonly signatures?: SignatureChecker,
    /** Every tag upstream, unfiltered: cosign companions and referrer tags are found here. */
    readonly allTags = new Set<string>(),
  ) {}
}
