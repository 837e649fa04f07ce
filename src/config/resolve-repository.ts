import { isDigest } from '../content/digest';
import type { RepositoryEntry } from './config-schema';
import type { LoadContext } from './load-context';
import { REPOSITORY_DEFAULTS } from './repository-defaults';
import { resolveUpstream } from './resolve-upstream';
import type { RepositoryConfig, SignaturesConfig } from './sync-config';

/**
 * One `repositories` entry with `defaults` applied: a key the repository sets replaces the
 * default's value whole (lists are not concatenated). `undefined` when problems were added.
 */
export async function resolveRepository(
  entry: RepositoryEntry,
  index: number,
  ctx: LoadContext,
): Promise<RepositoryConfig | undefined> {
  const { defaults } = ctx;
  const upstream = await resolveUpstream(entry, ['repositories', index], ctx);
  if (upstream === undefined) return undefined;

  // Digests are not globs: they name manifests to fetch, not tags to match.
  const include = entry.include ?? defaults.include ?? [];
  return {
    name: entry.name,
    upstream,
    include: include.filter((pattern) => !isDigest(pattern)),
    exclude: entry.exclude ?? defaults.exclude ?? [],
    digests: include.filter((pattern) => isDigest(pattern)),
    policy: entry.policy ?? defaults.policy ?? REPOSITORY_DEFAULTS.policy,
    mirror: entry.mirror ?? defaults.mirror ?? REPOSITORY_DEFAULTS.mirror,
    intervalMs: entry.interval ?? defaults.interval ?? REPOSITORY_DEFAULTS.intervalMs,
    concurrency: entry.concurrency ?? defaults.concurrency ?? REPOSITORY_DEFAULTS.concurrency,
    batchSize: entry.batch_size ?? defaults.batch_size ?? REPOSITORY_DEFAULTS.batchSize,
    signatures: await resolveSignatures(entry, index, ctx),
  };
}

/** The `signatures` block, with key files resolved against the config and checked readable. */
async function resolveSignatures(
  entry: RepositoryEntry,
  index: number,
  ctx: LoadContext,
): Promise<SignaturesConfig> {
  const fromRepository = entry.signatures !== undefined;
  const block = entry.signatures ?? ctx.defaults.signatures ?? {};
  const at = fromRepository ? ['repositories', index, 'signatures'] : ['defaults', 'signatures'];
  const files = async (key: 'gpg_keys' | 'cosign_keys') => {
    const resolved: string[] = [];
    for (const [i, value] of (block[key] ?? []).entries()) {
      const file = ctx.resolvePath(value);
      const problem = await ctx.unreadable(file);
      if (problem) ctx.problems.push({ path: [...at, key, i], message: problem });
      resolved.push(file);
    }
    return resolved;
  };
  return {
    lookaside: block.lookaside,
    gpgKeys: await files('gpg_keys'),
    cosignKeys: await files('cosign_keys'),
    checkReference: block.check_reference ?? false,
    signedOnly: block.signed_only ?? false,
  };
}
