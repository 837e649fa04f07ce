import { Readable } from 'node:stream';
import pino from 'pino';
import { EMPTY, from, type Observable } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import { type Digest, sha256Digest } from '../../../src/content/digest';
import type { ParsedManifest } from '../../../src/content/manifest-types';
import { MediaType } from '../../../src/content/media-types';
import { parseManifest } from '../../../src/content/parse-manifest';
import { Catalog } from '../../../src/db/catalog';
import { Manifest } from '../../../src/db/entities/manifest';
import { SyncError } from '../../../src/errors';
import {
  type BatchObserver,
  type PipelineOptions,
  SyncContext,
} from '../../../src/pipeline/sync-context';
import type {
  FetchedManifest,
  ManifestHead,
  RequestKind,
  Upstream,
} from '../../../src/registry/upstream';
import type { BlobStore } from '../../../src/storage/blob-store';

/**
 * In-process stand-ins for what a stage talks to. Each records what it was asked, so a spec can
 * assert on requests that must (or must not) have been made.
 */
export class FakeUpstream implements Upstream {
  readonly description = 'fake://upstream';
  readonly requests: Record<RequestKind, number> = {
    ping: 0,
    tags: 0,
    manifestHead: 0,
    manifestGet: 0,
    blobGet: 0,
    other: 0,
  };
  readonly calls: string[] = [];
  /** Tag to the digest a HEAD reports; a missing tag answers `undefined`, an Error is thrown. */
  readonly heads = new Map<string, Digest | Error>();
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  /** Blob bytes by digest; an Error is thrown by fetchBlob instead. */
  readonly blobs = new Map<string, Buffer | Error>();
  tags: string[] = [];

  async ping(): Promise<void> {
    this.requests.ping += 1;
  }

  listTags(): Observable<string> {
    return this.tags.length ? from(this.tags) : EMPTY;
  }

  async headManifest(reference: string): Promise<ManifestHead | undefined> {
    this.requests.manifestHead += 1;
    this.calls.push(`HEAD ${reference}`);
    const head = this.heads.get(reference);
    if (head instanceof Error) throw head;
    return head === undefined ? undefined : { digest: head };
  }

  async getManifest(reference: string): Promise<FetchedManifest> {
    this.requests.manifestGet += 1;
    this.calls.push(`GET ${reference}`);
    const manifest = this.manifests.get(reference);
    if (!manifest) throw new SyncError('NOT_FOUND', `no manifest ${reference}`, { reference });
    return {
      digest: sha256Digest(manifest.bytes),
      bytes: manifest.bytes,
      contentType: manifest.mediaType,
    };
  }

  blobUrl(digest: Digest): string {
    return `fake://upstream/blobs/${digest}`;
  }

  async fetchBlob(digest: Digest): Promise<Readable> {
    this.requests.blobGet += 1;
    this.calls.push(`BLOB ${digest}`);
    const blob = this.blobs.get(digest);
    if (blob instanceof Error) throw blob;
    if (!blob) throw new Error(`no blob ${digest}`);
    return Readable.from([blob]);
  }
}

/** A Catalog whose database calls are replaced; nothing here touches a real DataSource. */
export class FakeCatalog extends Catalog {
  readonly known = new Map<string, Manifest>();
  readonly knownQueries: string[][] = [];
  transactionWork?: (work: (manager: EntityManager) => Promise<unknown>) => Promise<unknown>;

  constructor() {
    super({} as DataSource, { serialize: false });
  }

  override async knownManifests(digests: string[]): Promise<Map<string, Manifest>> {
    this.knownQueries.push(digests);
    return new Map(digests.flatMap((d) => (this.known.has(d) ? [[d, this.known.get(d)!]] : [])));
  }

  override transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.transactionWork) throw new Error('FakeCatalog: no transaction handler set');
    return this.transactionWork(work) as Promise<T>;
  }
}

export const TEST_OPTIONS: PipelineOptions = {
  batchSize: 10,
  tagConcurrency: 4,
  childConcurrency: 4,
  downloadConcurrency: 4,
  tagFilter: () => true,
};

export function fakeContext(
  parts: {
    upstream?: Upstream;
    catalog?: Catalog;
    store?: BlobStore;
    options?: Partial<PipelineOptions>;
    onBatchSaved?: BatchObserver;
  } = {},
): SyncContext {
  return new SyncContext(
    parts.upstream ?? new FakeUpstream(),
    parts.catalog ?? new FakeCatalog(),
    parts.store ?? ({} as BlobStore),
    pino({ level: 'silent' }),
    { ...TEST_OPTIONS, ...parts.options },
    parts.onBatchSaved,
  );
}

/** A catalog row for a manifest saved by an earlier run. */
export function knownManifest(digest: string, kind: Manifest['kind'] = 'image'): Manifest {
  return Object.assign(new Manifest(), {
    id: `id-${digest.slice(7, 15)}`,
    digest,
    mediaType: MediaType.ociManifest,
    kind,
  });
}

export function blobDescriptor(content: string, mediaType: string = MediaType.ociLayer) {
  const bytes = Buffer.from(content);
  return { bytes, descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length } };
}

/** An OCI image manifest over the given config and layers, parsed as the first stage would. */
export function imageManifest(
  config: { digest: Digest; size: number; mediaType: string },
  layers: Array<{ digest: Digest; size: number; mediaType: string }>,
): ParsedManifest {
  const bytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers }),
  );
  return parseManifest(bytes, { digest: sha256Digest(bytes) });
}

export function indexManifest(children: ParsedManifest[]): ParsedManifest {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: children.map((c, i) => ({
        mediaType: c.mediaType,
        digest: c.digest,
        size: c.bytes.length,
        platform: { architecture: `arch${i}`, os: 'linux' },
      })),
    }),
  );
  return parseManifest(bytes, { digest: sha256Digest(bytes) });
}

/**
 * Resolves once `condition` holds, checking after each turn of the event loop; rejects after
 * `timeoutMs`, so a stage that never gets there fails the spec instead of hanging it.
 */
export async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
