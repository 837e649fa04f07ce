import { concatMap, type OperatorFunction } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { crashPoint } from '../crash-points';
import { Blob } from '../db/entities/blob';
import { Manifest } from '../db/entities/manifest';
import { ManifestSignature } from '../db/entities/manifest-signature';
import { Tag } from '../db/entities/tag';
import { type UpsertedIds, upsertByKey } from '../db/upsert';
import { toSyncError } from '../errors';
import {
  type AnyDc,
  BlobDc,
  isManifestDc,
  ManifestDc,
  type ManifestRef,
  SignatureDc,
  TagDc,
} from './declarative-content';
import type { SyncContext } from './sync-context';

/**
 * Saves each batch in one transaction, in the order blobs, manifests, lists, tags, then resolves
 * every DC of the batch with its row. Batches are saved one after another. A database error fails
 * every DC of the batch and the sync: nothing of the batch is committed.
 */
export function saveBatches(ctx: SyncContext): OperatorFunction<AnyDc[], AnyDc[]> {
  return concatMap(async (batch) => {
    const started = Date.now();
    const kinds = kindsIn(batch);
    const at = { batch: ctx.counts.batches + 1 };
    for (const kind of kinds) crashPoint(`batch.${kind}.before`, at);
    let saved: Map<AnyDc, SavedRow>;
    ctx.saving$.next(true);
    try {
      saved = await ctx.catalog.transaction((manager) => saveBatch(manager, batch));
    } catch (err) {
      const error = toSyncError(err, 'DATABASE_ERROR');
      for (const dc of batch) dc.fail(error);
      throw error;
    }
    ctx.counts.batches += 1;
    ctx.counts.rows += batch.length;
    for (const dc of batch) {
      if (dc instanceof TagDc) ctx.counts.tags += 1;
      else if (dc instanceof ManifestDc) ctx.counts.manifests += 1;
      else if (dc instanceof SignatureDc) ctx.counts.signatures += 1;
    }
    ctx.onBatchSaved?.({ number: ctx.counts.batches, items: batch });
    for (const kind of kinds) crashPoint(`batch.${kind}.committed`, at);
    for (const dc of batch) resolveWith(dc, saved.get(dc));
    // After resolving: what the resolutions set off synchronously joins the next batch.
    ctx.saving$.next(false);
    ctx.log.info(
      { batch: ctx.counts.batches, items: batch.length, ms: Date.now() - started },
      'batch saved',
    );
    return batch;
  });
}

type SavedRow = Blob | Manifest | Tag | ManifestSignature;

/** The kinds of row a batch holds, in the order they are saved. */
function kindsIn(batch: AnyDc[]): Array<AnyDc['kind']> {
  const present = new Set(batch.map((dc) => dc.kind));
  return (['blob', 'manifest', 'list', 'tag', 'signature'] as const).filter((k) => present.has(k));
}

async function saveBatch(manager: EntityManager, batch: AnyDc[]) {
  const saved = new Map<AnyDc, SavedRow>();
  const blobs = batch.filter((dc): dc is BlobDc => dc instanceof BlobDc);
  const images = batch.filter(
    (dc): dc is ManifestDc => dc instanceof ManifestDc && dc.kind === 'manifest',
  );
  const lists = batch.filter(
    (dc): dc is ManifestDc => dc instanceof ManifestDc && dc.kind === 'list',
  );
  const tags = batch.filter((dc): dc is TagDc => dc instanceof TagDc);
  const signatures = batch.filter((dc): dc is SignatureDc => dc instanceof SignatureDc);

  const blobRows = blobs.map(blobRow);
  const blobIds = await upsertByKey(manager, Blob, blobRows, {
    columns: ['digest'],
    of: (row) => row.digest,
  });
  blobs.forEach((dc, i) => saved.set(dc, withId(blobRows[i]!, blobIds, dc.key)));
  await recordBlobPlaces(manager, blobs, blobIds);
  if (blobs.length > 0) crashPoint('batch.blob.written', { rows: blobs.length });

  for (const [kind, group] of [['manifest', images] as const, ['list', lists] as const]) {
    const rows = group.map(manifestRow);
    const ids = await upsertByKey(manager, Manifest, rows, {
      columns: ['digest'],
      of: (row) => row.digest,
    });
    group.forEach((dc, i) => saved.set(dc, withId(rows[i]!, ids, dc.key)));
    if (group.length > 0) crashPoint(`batch.${kind}.written`, { rows: group.length });
  }

  const tagRows = tags.map((dc) =>
    Object.assign(new Tag(), { name: dc.name, manifestId: idOf(dc.manifest) }),
  );
  const tagIds = await upsertByKey(manager, Tag, tagRows, {
    columns: ['name', 'manifest_id'],
    of: (row) => `${row.name}@${row.manifestId}`,
  });
  tags.forEach((dc, i) => {
    const row = tagRows[i]!;
    saved.set(dc, withId(row, tagIds, `${row.name}@${row.manifestId}`));
  });
  if (tags.length > 0) crashPoint('batch.tag.written', { rows: tags.length });

  const signatureRows = signatures.map(signatureRow);
  const signatureIds = await upsertByKey(manager, ManifestSignature, signatureRows, {
    columns: ['digest'],
    of: (row) => row.digest,
  });
  signatures.forEach((dc, i) => saved.set(dc, withId(signatureRows[i]!, signatureIds, dc.key)));
  if (signatures.length > 0) crashPoint('batch.signature.written', { rows: signatures.length });
  return saved;
}

function signatureRow(dc: SignatureDc): ManifestSignature {
  const { parsed } = dc;
  const manifestDigest = isManifestDc(dc.manifest) ? dc.manifest.parsed.digest : dc.manifest.digest;
  return Object.assign(new ManifestSignature(), {
    name: `${manifestDigest}@${parsed.digest.slice(parsed.digest.indexOf(':') + 1, 40)}`,
    digest: parsed.digest,
    type: parsed.type,
    keyId: parsed.keyId,
    creator: parsed.creator ?? null,
    timestamp: parsed.timestamp ?? null,
    data: parsed.raw,
    signedManifestId: idOf(dc.manifest),
  });
}

function blobRow(dc: BlobDc): Blob {
  return Object.assign(new Blob(), {
    digest: dc.descriptor.digest,
    size: dc.storedSize ?? dc.descriptor.size ?? null,
    mediaType: dc.descriptor.mediaType,
    stored: dc.remoteUrls === undefined,
  });
}

/**
 * A blob first cataloged on_demand and now downloaded becomes stored (the insert above left the
 * existing row alone; a row it inserted is right already); a layer not downloaded gets a row for
 * each place it can be fetched from.
 */
async function recordBlobPlaces(manager: EntityManager, blobs: BlobDc[], ids: UpsertedIds) {
  const stored = blobs
    .filter((dc) => dc.remoteUrls === undefined && ids.existed.has(dc.key))
    .map((dc) => ({ id: ids.get(dc.key), size: dc.storedSize ?? null }));
  if (stored.length > 0) {
    await manager.query(
      `UPDATE blob SET stored = true, size = COALESCE(blob.size, s.size)
         FROM jsonb_to_recordset($1::jsonb) AS s (id uuid, size bigint)
        WHERE blob.id = s.id AND NOT blob.stored`,
      [JSON.stringify(stored)],
    );
  }
  const remote = blobs.flatMap((dc) =>
    (dc.remoteUrls ?? []).map((url) => ({ id: ids.get(dc.key), url })),
  );
  if (remote.length > 0) {
    await manager.query(
      `INSERT INTO blob_source (blob_id, url)
       SELECT DISTINCT s.id, s.url FROM jsonb_to_recordset($1::jsonb) AS s (id uuid, url text)
        ORDER BY 1, 2
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(remote)],
    );
  }
}

function manifestRow(dc: ManifestDc): Manifest {
  const { parsed, extra } = dc;
  const layers = extra.layerBlobs;
  // Schema 1 descriptors carry no size: the downloaded file's size stands in.
  const storedSizes = new Map(layers.map((b) => [b.key, b.storedSize]));
  const sizes = parsed.layers.map((l) => l.size ?? storedSizes.get(l.digest) ?? 0);
  return Object.assign(new Manifest(), {
    digest: parsed.digest,
    mediaType: parsed.mediaType,
    schemaVersion: parsed.schemaVersion,
    kind: parsed.kind,
    data: parsed.bytes,
    annotations: parsed.annotations,
    labels: dc.config?.labels ?? {},
    architecture: parsed.architecture ?? dc.config?.architecture ?? null,
    os: parsed.os ?? dc.config?.os ?? null,
    artifactType: parsed.artifactType ?? null,
    subjectDigest: parsed.subject?.digest ?? null,
    compressedImageSize: dc.kind === 'manifest' ? sizes.reduce((a, b) => a + b, 0) : null,
    configBlobId: extra.configBlob ? requireRow(extra.configBlob).id : null,
    layerBlobIds: [...new Set(layers.map((b) => requireRow(b).id))],
    listEntries: extra.entries.map(({ child, platform }) => ({
      childId: idOf(child),
      architecture: platform?.architecture ?? null,
      os: platform?.os ?? null,
      osVersion: platform?.osVersion ?? null,
      osFeatures: platform?.osFeatures ?? null,
      variant: platform?.variant ?? null,
      features: platform?.features ?? null,
    })),
  });
}

function idOf(ref: ManifestRef): string {
  return isManifestDc(ref) ? requireRow(ref).id : ref.id;
}

/** Dependencies resolved before their dependents were put; a missing row is a pipeline bug. */
function requireRow<T extends { id: string }>(dc: { row?: T; kind: string; key: string }): T {
  if (!dc.row) throw new Error(`${dc.kind} ${dc.key} saved before its dependency resolved`);
  return dc.row;
}

function withId<T extends { id: string }>(row: T, ids: Map<string, string>, key: string): T {
  const id = ids.get(key);
  if (!id) throw new Error(`no id returned for ${key}`);
  row.id = id;
  return row;
}

function resolveWith(dc: AnyDc, row: SavedRow | undefined): void {
  if (!row) {
    dc.fail(new Error(`${dc.kind} ${dc.key} was not saved`));
    return;
  }
  (dc as { resolve(row: unknown): void }).resolve(row);
}
