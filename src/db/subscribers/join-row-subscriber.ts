import type {
  EntitySubscriberInterface,
  InsertEvent,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { EventSubscriber } from 'typeorm';
import { crashPoint } from '../../crash-points';
import { Manifest } from '../entities/manifest';

interface Pending {
  layers: Array<{ digest: string; blobId: string }>;
  entries: Array<{ digest: string; entry: NonNullable<Manifest['listEntries']>[number] }>;
}

/**
 * Creates ManifestBlob and ManifestListManifest rows for manifests saved in a transaction.
 *
 * TypeORM fires `afterInsert` once per row, so rows are gathered per query runner and written
 * just before the commit: one statement per join table per batch, inside the save's transaction.
 * Rows find their manifest by digest, not by the ids TypeORM hands out, because those are
 * assigned by position and go wrong when some rows already existed.
 */
@EventSubscriber()
export class JoinRowSubscriber implements EntitySubscriberInterface<Manifest> {
  private readonly pending = new WeakMap<QueryRunner, Pending>();

  listenTo() {
    return Manifest;
  }

  afterInsert(event: InsertEvent<Manifest>): void {
    const manifest = event.entity;
    if (!manifest) return;
    const pending = this.pendingFor(event.queryRunner);
    for (const blobId of manifest.layerBlobIds ?? []) {
      pending.layers.push({ digest: manifest.digest, blobId });
    }
    for (const entry of manifest.listEntries ?? []) {
      pending.entries.push({ digest: manifest.digest, entry });
    }
  }

  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const pending = this.pending.get(event.queryRunner);
    if (!pending) return;
    this.pending.delete(event.queryRunner);
    await insertLayerRows(event.queryRunner, pending.layers);
    await insertListRows(event.queryRunner, pending.entries);
    crashPoint('join-rows.written', {
      layers: pending.layers.length,
      entries: pending.entries.length,
    });
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.pending.delete(event.queryRunner);
  }

  private pendingFor(queryRunner: QueryRunner): Pending {
    let pending = this.pending.get(queryRunner);
    if (!pending) {
      pending = { layers: [], entries: [] };
      this.pending.set(queryRunner, pending);
    }
    return pending;
  }
}

// Rows are sorted by key so that two syncs inserting the same pairs take locks in one order.
async function insertLayerRows(runner: QueryRunner, rows: Pending['layers']): Promise<void> {
  if (rows.length === 0) return;
  await runner.query(
    `INSERT INTO manifest_blob (manifest_id, blob_id)
     SELECT DISTINCT m.id, x.blob_id
       FROM unnest($1::varchar[], $2::uuid[]) AS x (digest, blob_id)
       JOIN manifest m ON m.digest = x.digest
      ORDER BY m.id, x.blob_id
     ON CONFLICT DO NOTHING`,
    [rows.map((r) => r.digest), rows.map((r) => r.blobId)],
  );
}

async function insertListRows(runner: QueryRunner, rows: Pending['entries']): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map(({ digest, entry }) => ({
      digest,
      child_id: entry.childId,
      architecture: entry.architecture,
      os: entry.os,
      os_version: entry.osVersion,
      os_features: entry.osFeatures,
      variant: entry.variant,
      features: entry.features,
    })),
  );
  await runner.query(
    `INSERT INTO manifest_list_manifest
       (list_id, child_id, architecture, os, os_version, os_features, variant, features)
     SELECT DISTINCT ON (m.id, x.child_id)
            m.id, x.child_id, x.architecture, x.os, x.os_version, x.os_features, x.variant,
            x.features
       FROM jsonb_to_recordset($1::jsonb) AS x (
              digest varchar, child_id uuid, architecture varchar, os varchar,
              os_version varchar, os_features jsonb, variant varchar, features jsonb)
       JOIN manifest m ON m.digest = x.digest
      ORDER BY m.id, x.child_id
     ON CONFLICT DO NOTHING`,
    [json],
  );
}
