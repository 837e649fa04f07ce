import path from 'node:path';
import pino from 'pino';
import type { Catalog } from '../../src/db/catalog';
import { openCatalog } from '../../src/db/open-catalog';
import { readVersionContent, type VersionContent } from '../../src/db/version-content';
import type { AnyDc } from '../../src/pipeline/declarative-content';
import type { PipelineOptions } from '../../src/pipeline/sync-context';
import { syncRepository, type SyncSummary } from '../../src/pipeline/sync-repository';
import { RegistryClient } from '../../src/registry/registry-client';
import type { Upstream } from '../../src/registry/upstream';
import type { SignatureOptions } from '../../src/signatures/signature-options';
import { BlobStore } from '../../src/storage/blob-store';
import { type DatabaseKind, freshDatabase } from './database';
import { type SaveEdge, saveEdges } from './save-edges';

export interface SyncRig {
  catalog: Catalog;
  store: BlobStore;
  /** Every committed batch, in commit order, with its items' dependencies as they were saved. */
  batches: SavedBatch[];
  sync(options: RigSyncOptions): Promise<SyncSummary>;
  content(repository: string, version?: number): Promise<VersionContent>;
  close(): Promise<void>;
}

export interface SavedBatch {
  number: number;
  items: readonly AnyDc[];
  edges: SaveEdge[];
}

export interface RigSyncOptions {
  name: string;
  /** A registry URL (with `repository`) or a ready Upstream. */
  registryUrl?: string;
  repository?: string;
  upstream?: Upstream;
  mirror?: boolean;
  pipeline?: Partial<PipelineOptions>;
  signatures?: SignatureOptions;
}

/** A fresh database and blob store, and a `sync` that runs the real pipeline against them. */
export async function createSyncRig(kind: DatabaseKind, options: { subscribers?: boolean } = {}) {
  const db = await freshDatabase(kind);
  const { catalog, close } = await openCatalog({ ...db.options, ...options });
  const store = new BlobStore(path.join(db.dataDir, 'store'));
  const log = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const rig: SyncRig = {
    catalog,
    store,
    batches: [],
    sync: (o) => {
      const upstream =
        o.upstream ??
        new RegistryClient({ registryUrl: o.registryUrl!, repository: o.repository ?? o.name });
      return syncRepository(
        {
          catalog,
          store,
          log,
          onBatchSaved: (batch) => rig.batches.push({ ...batch, edges: saveEdges(batch.items) }),
        },
        {
          name: o.name,
          upstream,
          mirror: o.mirror ?? false,
          upstreamRepository: o.repository ?? o.name,
          signatures: o.signatures,
          pipeline: {
            batchSize: 50,
            tagConcurrency: 4,
            childConcurrency: 4,
            downloadConcurrency: 4,
            tagFilter: () => true,
            ...o.pipeline,
          },
        },
      );
    },
    content: (repository, version) =>
      catalog.read((m) => readVersionContent(m, repository, version)),
    close: async () => {
      await close();
      await db.drop();
    },
  };
  return rig;
}
