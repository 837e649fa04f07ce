import { from, lastValueFrom, type Observable, of, toArray } from 'rxjs';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { MediaType } from '../../../src/content/media-types';
import { Blob } from '../../../src/db/entities/blob';
import { Manifest } from '../../../src/db/entities/manifest';
import { Tag } from '../../../src/db/entities/tag';
import { type AnyDc, BlobDc, ManifestDc, TagDc } from '../../../src/pipeline/declarative-content';
import { saveBatches } from '../../../src/pipeline/save-batches';
import {
  blobDescriptor,
  FakeCatalog,
  fakeContext,
  imageManifest,
  indexManifest,
  knownManifest,
} from './fakes';

/** One INSERT as the fake transaction saw it: the group saved and the natural keys in it. */
interface Insert {
  group: string;
  keys: string[];
}

const KEY_COLUMNS: Record<string, Record<string, string>> = {
  blob: { digest: 'digest' },
  manifest: { digest: 'digest' },
  tag: { name: 'name', manifest_id: 'manifestId' },
};

function tableOf(target: EntityTarget<ObjectLiteral>): string {
  if (target === Blob) return 'blob';
  if (target === Manifest) return 'manifest';
  if (target === Tag) return 'tag';
  throw new Error(`unexpected insert target ${String(target)}`);
}

/**
 * Just enough of an EntityManager for upsertByKey: every row is new, so each INSERT returns an
 * id per row and no read-back happens. Manifest inserts are named by their kind, which tells
 * the image group from the list group.
 */
function fakeManager(inserts: Insert[], written: ObjectLiteral[] = []): EntityManager {
  let nextId = 0;
  const builder = (table: string) => {
    let rows: ObjectLiteral[] = [];
    const chain = {
      values: (values: ObjectLiteral[]) => ((rows = values), chain),
      orIgnore: () => chain,
      updateEntity: () => chain,
      returning: () => chain,
      execute: async () => {
        const columns = Object.entries(KEY_COLUMNS[table]!);
        const keyOf = (row: ObjectLiteral) =>
          columns.map(([, prop]) => String(row[prop])).join('@');
        const group = table === 'manifest' ? String(rows[0]?.['kind']) : table;
        inserts.push({ group, keys: rows.map(keyOf) });
        written.push(...rows);
        const raw = rows.map((row) => ({
          id: `${table}-${++nextId}`,
          ...Object.fromEntries(columns.map(([column, prop]) => [column, row[prop]])),
        }));
        return { raw };
      },
    };
    return chain;
  };
  const manager = {
    // Bookkeeping statements (where blobs are stored) return nothing the stage reads.
    query: async () => [],
    connection: {
      getMetadata: (target: EntityTarget<ObjectLiteral>) => ({
        tableName: tableOf(target),
        findColumnWithDatabaseName: (column: string) => {
          const propertyName = KEY_COLUMNS[tableOf(target)]![column];
          return propertyName ? { propertyName } : undefined;
        },
      }),
    },
    createQueryBuilder: () => ({
      insert: () => ({ into: (t: EntityTarget<ObjectLiteral>) => builder(tableOf(t)) }),
    }),
  };
  return manager as unknown as EntityManager;
}

/** A batch of each kind whose dependencies resolved in earlier batches, as the pipeline ensures. */
function mixedBatch() {
  const config = blobDescriptor('{"architecture":"amd64"}', MediaType.ociConfig);
  const layer = blobDescriptor('layer bytes');
  const configDc = new BlobDc(config.descriptor, 'config');
  const layerDc = new BlobDc(layer.descriptor, 'layer');
  configDc.resolve(
    Object.assign(new Blob(), { id: 'earlier-config', digest: config.descriptor.digest }),
  );
  layerDc.resolve(
    Object.assign(new Blob(), { id: 'earlier-layer', digest: layer.descriptor.digest }),
  );
  const parsedImage = imageManifest(config.descriptor, [layer.descriptor, layer.descriptor]);
  const image = new ManifestDc(parsedImage, {
    configBlob: configDc,
    layerBlobs: [layerDc, layerDc],
    entries: [],
  });

  const child = knownManifest(`sha256:${'c'.repeat(64)}`);
  const parsedList = indexManifest([parsedImage]);
  const list = new ManifestDc(parsedList, {
    layerBlobs: [],
    entries: [{ child, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }],
  });

  const tagged = knownManifest(`sha256:${'d'.repeat(64)}`);
  const tag = new TagDc('v1', tagged);
  const newBlob = blobDescriptor('a layer of another manifest');
  const blob = new BlobDc(newBlob.descriptor, 'layer');
  blob.storedSize = 27;

  return { blob, image, list, tag, tagged, child, configDc, layerDc };
}

describe('saveBatches', () => {
  it('saves the groups of a batch in the order blobs, manifests, lists, tags', async () => {
    const { blob, image, list, tag, tagged } = mixedBatch();
    const inserts: Insert[] = [];
    const catalog = new FakeCatalog();
    catalog.transactionWork = (work) => work(fakeManager(inserts));
    const ctx = fakeContext({ catalog });

    await lastValueFrom(of<AnyDc[]>([tag, list, image, blob]).pipe(saveBatches(ctx)));

    expect(inserts).toEqual([
      { group: 'blob', keys: [blob.key] },
      { group: 'image', keys: [image.key] },
      { group: 'index', keys: [list.key] },
      { group: 'tag', keys: [`v1@${tagged.id}`] },
    ]);
  });

  it('resolves every DC of the batch with the row saved for it', async () => {
    const { blob, image, list, tag, tagged, child, configDc, layerDc } = mixedBatch();
    const catalog = new FakeCatalog();
    const written: ObjectLiteral[] = [];
    catalog.transactionWork = (work) => work(fakeManager([], written));
    const observed: Array<{ number: number; items: readonly AnyDc[] }> = [];
    const ctx = fakeContext({ catalog, onBatchSaved: (batch) => observed.push(batch) });

    const out = await lastValueFrom(of<AnyDc[]>([tag, list, image, blob]).pipe(saveBatches(ctx)));

    expect(out).toEqual([tag, list, image, blob]);
    expect(await lastValueFrom(blob.resolution$)).toMatchObject({
      id: 'blob-1',
      digest: blob.key,
      size: 27,
      mediaType: MediaType.ociLayer,
    });
    // A saved manifest resolves with its identity and lets go of its document and parts.
    expect(await lastValueFrom(image.resolution$)).toEqual(
      Object.assign(new Manifest(), {
        id: 'manifest-2',
        digest: image.key,
        mediaType: image.parsed.mediaType,
        kind: 'image',
      }),
    );
    expect(image.parsed.bytes).toHaveLength(0);
    expect(image.extra).toEqual({ layerBlobs: [], entries: [] });
    expect(await lastValueFrom(list.resolution$)).toMatchObject({
      id: 'manifest-3',
      digest: list.key,
      kind: 'index',
    });
    const rowOf = (digest: string) => written.find((row) => row['digest'] === digest);
    expect(rowOf(image.key)).toMatchObject({
      configBlobId: configDc.row!.id,
      layerBlobIds: [layerDc.row!.id],
    });
    expect(rowOf(list.key)).toMatchObject({
      configBlobId: null,
      listEntries: [
        expect.objectContaining({ childId: child.id, architecture: 'arm64', variant: 'v8' }),
      ],
    });
    expect(await lastValueFrom(tag.resolution$)).toMatchObject({
      id: 'tag-4',
      name: 'v1',
      manifestId: tagged.id,
    });
    expect(ctx.counts).toMatchObject({ batches: 1, rows: 4 });
    expect(observed).toEqual([{ number: 1, items: [tag, list, image, blob] }]);
  });

  it('fails every DC of a batch and the stream when its transaction throws', async () => {
    const { blob, image, list, tag } = mixedBatch();
    const catalog = new FakeCatalog();
    catalog.transactionWork = async () => {
      throw new Error('deadlock detected');
    };
    const observed: unknown[] = [];
    const ctx = fakeContext({ catalog, onBatchSaved: (batch) => observed.push(batch) });

    const saving = lastValueFrom(of<AnyDc[]>([blob, image, list, tag]).pipe(saveBatches(ctx)));

    await expect(saving).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: 'deadlock detected',
    });
    for (const dc of [blob, image, list, tag]) {
      await expect(lastValueFrom(dc.resolution$ as Observable<unknown>)).rejects.toMatchObject({
        code: 'DATABASE_ERROR',
        message: 'deadlock detected',
      });
    }
    expect(ctx.counts).toMatchObject({ batches: 0, rows: 0 });
    expect(observed).toEqual([]);
  });

  it('starts the next batch only after the previous one committed', async () => {
    const first = mixedBatch();
    const second = mixedBatch();
    const events: string[] = [];
    const releases: Array<() => void> = [];
    const catalog = new FakeCatalog();
    let begun = 0;
    catalog.transactionWork = async (work) => {
      const number = ++begun;
      events.push(`begin ${number}`);
      await new Promise<void>((release) => releases.push(release));
      const result = await work(fakeManager([]));
      events.push(`commit ${number}`);
      return result;
    };
    const ctx = fakeContext({ catalog });

    const saved = lastValueFrom(
      from<AnyDc[][]>([[first.blob], [second.tag]]).pipe(saveBatches(ctx), toArray()),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    const whileFirstOpen = [...events];
    releases[0]!();
    await new Promise((resolve) => setTimeout(resolve, 10));
    releases[1]!();
    const batches = await saved;

    expect(whileFirstOpen).toEqual(['begin 1']);
    expect(events).toEqual(['begin 1', 'commit 1', 'begin 2', 'commit 2']);
    expect(batches).toEqual([[first.blob], [second.tag]]);
    expect(first.blob.row?.id).toBe('blob-1');
    expect(second.tag.row?.id).toBe('tag-1');
  });
});
