import type { RepositoryConfig } from './sync-config';

/** What a repository gets for a key that neither it nor `defaults` sets. */
export const REPOSITORY_DEFAULTS = {
  policy: 'immediate',
  mirror: false,
  intervalMs: 60 * 60 * 1000,
  concurrency: 8,
  batchSize: 100,
} as const satisfies Partial<RepositoryConfig>;
