import type { FilledRegistry } from './fill-registry';
import type { PeerRun } from './peer-run';
import type { TagChange } from './change-tags';
import type { CatalogCheck, SyncSummaryFields } from './peers/container-sync';
import type { FloorRun } from './peers/floor';
import type { SkopeoRun } from './peers/skopeo';

/** The size the targets are set at. */
export const TARGET_SIZE = 1000;
/** RSS flatness compares this size against TARGET_SIZE. */
export const LARGE_SIZE = 5000;

/** Counts that follow from the generated repository, computed before any peer runs. */
export interface Expected {
  tags: number;
  manifests: number;
  blobs: number;
  /** Pages of tags/list the registry serves, counted by walking the Link headers once. */
  tagPages: number;
}

/** A container-sync run with the catalog as it stood afterwards. */
export interface CatalogRun extends PeerRun {
  summary: SyncSummaryFields;
  catalog: CatalogCheck;
  /** Catalog rows this run added (migrations table left out). */
  rowsWritten: number;
  /** rowsWritten over the process's wall time. */
  rowsPerSecond: number;
}

export interface SizeResult {
  size: number;
  expected: Expected;
  /** Where the registry's content came from and how long filling took, in seconds. */
  fill: FilledRegistry['fill'];
  floor: FloorRun;
  skopeo: SkopeoRun;
  cold: CatalogRun;
  noChange: CatalogRun;
  changed: CatalogRun & { change: TagChange };
  /** Wall time ratios (the targets), and CPU second ratios, which other load skews less. */
  ratios: {
    coldOverSkopeo: number;
    coldOverFloor: number;
    coldCpuOverSkopeo: number;
    coldCpuOverFloor: number;
  };
  /** How long each stage took, in seconds, for planning runs. */
  stages: Record<string, number>;
}

export type Verdict = 'PASS' | 'FAIL' | 'N/A';

export interface TargetResult {
  target: string;
  size: number | null;
  measured: string;
  limit: string;
  verdict: Verdict;
}

export interface BenchResults {
  startedAt: string;
  /** The commit measured (`+dirty`: with uncommitted changes under src/); older results lack it. */
  commit?: string;
  finishedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    /** 1, 5 and 15 minute load averages: other work on the machine skews the timings. */
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
  };
  settings: { concurrency: number; batchSize: number; policy: string; requestsCountedAt: string };
  sizes: SizeResult[];
  /** Targets at TARGET_SIZE (RSS flatness: LARGE_SIZE against TARGET_SIZE). */
  targets: TargetResult[];
  /** The same checks at every size measured, for information. */
  checksBySize: TargetResult[];
}
