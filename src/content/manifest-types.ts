import type { Digest } from './digest';

/** `platform` of an index entry (image-spec/image-index.md), with OCI's dotted names flattened. */
export interface Platform {
  architecture: string;
  os: string;
  osVersion?: string;
  osFeatures?: string[];
  variant?: string;
  features?: string[];
}

/** A content descriptor (image-spec/descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  /** Schema 1 layers carry no size. */
  size?: number;
  urls?: string[];
  annotations?: Record<string, string>;
  artifactType?: string;
  platform?: Platform;
}

export type ManifestKind =
  'image' | 'index' | 'artifact' | 'helm_chart' | 'cosign_signature' | 'unknown';

/** A manifest document, read and checked; the source of truth stays `bytes`. */
export interface ParsedManifest {
  digest: Digest;
  mediaType: string;
  schemaVersion: number;
  kind: ManifestKind;
  bytes: Buffer;
  annotations: Record<string, string>;
  /** Image manifests: the config blob (none for schema 1). */
  config?: Descriptor;
  /** Image manifests: layers in document order, duplicates kept (schema 1: base layer first). */
  layers: Descriptor[];
  /** Lists and indexes: their entries, with platforms. */
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  /** Schema 1 names these in the document itself; other types in the config blob. */
  architecture?: string;
  os?: string;
}
