/**
 * One error type for everything the sync reports. `code` is stable (tests and log queries match
 * on it); the data fields name where the problem is, so a log line alone says what and where.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'REGISTRY_UNREACHABLE'
  | 'TLS_FAILED'
  | 'REGISTRY_ERROR'
  | 'AUTH_FAILED'
  | 'RATE_LIMITED'
  | 'NOT_FOUND'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN_TYPE'
  | 'MANIFEST_TOO_LARGE'
  | 'MANIFEST_MISSING'
  | 'INDEX_EMPTY'
  | 'DIGEST_INVALID'
  | 'REFERENCE_INVALID'
  | 'DIGEST_MISMATCH'
  | 'BLOB_INVALID'
  | 'BLOB_MISSING'
  | 'IMAGE_CONFIG_INVALID'
  | 'BLOB_INCOMPLETE'
  | 'LINK_REFUSED'
  | 'REDIRECT_REFUSED'
  | 'LAYOUT_INVALID'
  | 'DEPENDENCY_FAILED'
  | 'DATABASE_ERROR'
  | 'DATA_DIR_LOCKED'
  | 'REPOSITORY_BUSY'
  | 'LOCK_LOST'
  | 'STORAGE_ERROR'
  | 'SIGNATURE_INVALID'
  | 'INTERNAL';

export interface ErrorData {
  registry?: string;
  repository?: string;
  reference?: string;
  digest?: string;
  /** The manifest the document `digest` names belongs to: a blob's image, a child's list. */
  manifest?: string;
  /** DIGEST_MISMATCH: what the reference or descriptor promised, and what the bytes hash to. */
  expected?: string;
  actual?: string;
  url?: string;
  status?: number;
  file?: string;
  path?: string;
}

export class SyncError extends Error {
  override readonly name = 'SyncError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data: ErrorData = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The same error with more data, e.g. the manifest a failed blob belongs to. */
  with(data: ErrorData): SyncError {
    return new SyncError(this.code, this.message, { ...this.data, ...data }, { cause: this.cause });
  }

  /** The fields a log line carries for this error. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.data };
  }
}

/** Normalizes anything thrown into a SyncError, keeping the original as `cause`. */
export function toSyncError(err: unknown, fallback: ErrorCode = 'INTERNAL', data: ErrorData = {}) {
  if (err instanceof SyncError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SyncError(fallback, message, data, { cause: err });
}
