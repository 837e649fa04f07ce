import { AsyncSubject, type Observable } from 'rxjs';
import type { Descriptor, ParsedManifest, Platform } from '../content/manifest-types';
import type { Blob } from '../db/entities/blob';
import type { Manifest } from '../db/entities/manifest';
import type { ManifestSignature } from '../db/entities/manifest-signature';
import type { Tag } from '../db/entities/tag';
import type { ParsedSignature } from '../signatures/signature-types';

/** The save order inside a batch: what a later group references is saved first. */
export const SAVE_ORDER = ['blob', 'manifest', 'list', 'tag', 'signature'] as const;
export type DcKind = (typeof SAVE_ORDER)[number];

interface Saved {
  blob: Blob;
  manifest: Manifest;
  list: Manifest;
  tag: Tag;
  signature: ManifestSignature;
}

/**
 * A declarative content item: what the first stage found upstream, flowing through download and
 * save. `resolution$` emits the saved row once and completes; it errors when the item failed and
 * completes empty when it was skipped, so whatever waits on it always hears back.
 */
export abstract class DeclarativeContent<K extends DcKind = DcKind> {
  abstract readonly kind: K;
  private readonly subject$ = new AsyncSubject<Saved[K]>();
  private settled = false;
  /** The saved row, once resolved: later stages read ids from here without subscribing. */
  row?: Saved[K];

  /** A key unique within one kind: the digest, or tag name and manifest digest. */
  abstract get key(): string;

  get resolution$(): Observable<Saved[K]> {
    return this.subject$.asObservable();
  }

  get isSettled(): boolean {
    return this.settled;
  }

  resolve(row: Saved[K]): void {
    if (this.settled) return;
    this.settled = true;
    this.row = row;
    this.subject$.next(row);
    this.subject$.complete();
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.subject$.error(error);
  }

  skip(): void {
    if (this.settled) return;
    this.settled = true;
    this.subject$.complete();
  }
}

export class BlobDc extends DeclarativeContent<'blob'> {
  readonly kind = 'blob';

  constructor(
    readonly descriptor: Descriptor,
    /** Config blobs are always downloaded; layers may be left upstream (on_demand). */
    readonly role: 'config' | 'layer',
  ) {
    super();
  }

  /** Bytes on disk once downloaded: schema 1 descriptors carry no size. */
  storedSize?: number;
  /** A config blob's bytes as downloaded, until its manifest read them. */
  configBytes?: Buffer;
  /**
   * Set instead of `storedSize` when the layer is not downloaded: where it can be fetched (the
   * upstream for on_demand, the descriptor's `urls` for a non-distributable layer).
   */
  remoteUrls?: string[];

  get key(): string {
    return this.descriptor.digest;
  }
}

/** A manifest still flowing through the pipeline, or one the catalog already had. */
export type ManifestRef = ManifestDc | Manifest;

export function isManifestDc(ref: ManifestRef): ref is ManifestDc {
  return ref instanceof ManifestDc;
}

export interface ListEntryDc {
  child: ManifestRef;
  platform?: Platform;
}

/** An image manifest (`manifest`) or a list / index (`list`). */
export class ManifestDc extends DeclarativeContent<'manifest' | 'list'> {
  readonly kind: 'manifest' | 'list';
  /** Set once the config blob is read: labels, architecture, os. */
  config?: { labels: Record<string, string>; architecture?: string; os?: string };
  #parsed: ParsedManifest;
  #extra: ManifestParts;

  constructor(parsed: ParsedManifest, extra: ManifestParts) {
    super();
    this.#parsed = parsed;
    this.#extra = extra;
    this.kind = parsed.kind === 'index' ? 'list' : 'manifest';
  }

  get parsed(): ParsedManifest {
    return this.#parsed;
  }

  get extra(): ManifestParts {
    return this.#extra;
  }

  get key(): string {
    return this.#parsed.digest;
  }

  /**
   * Resolves with the saved row, then lets go of the document and its parts. A sync keeps one
   * DC per digest for the whole run (so shared content is put once); once saved, all anyone
   * needs of it is its digest and id, and keeping the rest would make memory grow with the
   * repository instead of with the batch size and concurrency.
   */
  override resolve(row: Manifest): void {
    const { id, digest, mediaType, kind } = row;
    super.resolve(
      Object.assign(Object.create(Object.getPrototypeOf(row) as object), {
        id,
        digest,
        mediaType,
        kind,
      }) as Manifest,
    );
    const { schemaVersion } = this.#parsed;
    this.#parsed = {
      digest: this.#parsed.digest,
      mediaType: this.#parsed.mediaType,
      schemaVersion,
      kind: this.#parsed.kind,
      bytes: EMPTY_BYTES,
      annotations: {},
      layers: [],
      manifests: [],
    };
    this.#extra = { layerBlobs: [], entries: [] };
    this.config = undefined;
  }
}

/** What an image manifest's row is made of (config and layers) or a list's (its entries). */
export interface ManifestParts {
  configBlob?: BlobDc;
  layerBlobs: BlobDc[];
  entries: ListEntryDc[];
}

const EMPTY_BYTES = Buffer.alloc(0);

export class TagDc extends DeclarativeContent<'tag'> {
  readonly kind = 'tag';

  constructor(
    readonly name: string,
    readonly manifest: ManifestRef,
  ) {
    super();
  }

  get manifestDigest(): string {
    return isManifestDc(this.manifest) ? this.manifest.parsed.digest : this.manifest.digest;
  }

  get key(): string {
    return `${this.name}@${this.manifestDigest}`;
  }
}

/** A signature of a manifest, put once the manifest resolved. */
export class SignatureDc extends DeclarativeContent<'signature'> {
  readonly kind = 'signature';

  constructor(
    readonly parsed: ParsedSignature,
    readonly manifest: ManifestRef,
  ) {
    super();
  }

  get key(): string {
    return this.parsed.digest;
  }
}

export type AnyDc = BlobDc | ManifestDc | TagDc | SignatureDc;
