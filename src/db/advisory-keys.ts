import { createHash } from 'node:crypto';

/**
 * Keys of the PostgreSQL advisory locks container-sync takes, in the two-int form
 * `(space, id)`. The first int keeps them apart from any other application's locks on the same
 * database; the second names what is locked.
 */
export type AdvisoryKey = readonly [space: number, id: number];

/** 'cs' 'mg' and 'cs' 'rp' as ASCII: recognisable in pg_locks.classid. */
const MIGRATIONS_SPACE = 0x63736d67;
const REPOSITORIES_SPACE = 0x63737270;

/** Held while migrations run, so that two processes starting together do not both apply them. */
export const MIGRATIONS_KEY: AdvisoryKey = [MIGRATIONS_SPACE, 0];

/**
 * One repository's sync lock: the first 32 bits of the SHA-256 of its name, the same in every
 * process and version. Two names that share those bits only take turns, which is harmless.
 */
export function repositoryKey(name: string): AdvisoryKey {
  return [REPOSITORIES_SPACE, createHash('sha256').update(name).digest().readInt32BE(0)];
}
