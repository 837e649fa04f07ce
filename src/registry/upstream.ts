import type { Observable } from 'rxjs';
import type { Readable } from 'node:stream';
import type { Digest } from '../content/digest';

/** What a HEAD on a manifest reference told us; every field may be missing on odd registries. */
export interface ManifestHead {
  digest?: Digest;
  mediaType?: string;
  size?: number;
}

/** A manifest body whose digest has already been checked against what was asked for. */
export interface FetchedManifest {
  digest: Digest;
  bytes: Buffer;
  /** Content-Type without parameters, when the source sent one. */
  contentType?: string;
}

/** Counts of requests made, by kind, for the run summary (tests count at a proxy instead). */
export type RequestKind = 'ping' | 'tags' | 'manifestHead' | 'manifestGet' | 'blobGet' | 'other';

export function noRequests(): Record<RequestKind, number> {
  return { ping: 0, tags: 0, manifestHead: 0, manifestGet: 0, blobGet: 0, other: 0 };
}

/**
 * Where content comes from: a registry over HTTP, or an OCI layout directory. The pipeline only
 * sees this interface.
 */
export interface Upstream {
  /** For logs: `https://host/repo` or `oci-layout:/path`. Never carries credentials. */
  readonly description: string;
  readonly requests: Record<RequestKind, number>;
  ping(): Promise<void>;
  /** Every tag, pages flattened, in the order the source lists them. */
  listTags(): Observable<string>;
  /** `undefined` when the reference does not exist upstream. */
  headManifest(reference: string): Promise<ManifestHead | undefined>;
  /**
   * GETs a manifest by tag or digest and checks its bytes against `expectedDigest` (or, by tag
   * without one, against the digest the source reports). Throws DIGEST_MISMATCH otherwise.
   */
  getManifest(reference: string, expectedDigest?: Digest): Promise<FetchedManifest>;
  /**
   * Digests of the manifests whose `subject` is `digest`, from the registry's referrers API;
   * undefined when the source has none (then the referrers tag `sha256-<hex>` is used).
   */
  referrers?(digest: Digest): Promise<string[] | undefined>;
  /** Where a blob can be fetched later, recorded for layers synced on_demand. */
  blobUrl(digest: Digest): string;
  /** The raw bytes of a blob as a stream; the blob store verifies the digest while writing. */
  fetchBlob(digest: Digest): Promise<Readable>;
}
