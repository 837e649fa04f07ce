import type { RepositoryEntry, RegistryEntry } from './config-schema';
import { describeValue } from './describe-value';
import { upstreamRepositoryName } from './docker-hub';
import type { LoadContext } from './load-context';
import { parseRegistryUrl, type RegistryUrl } from './registry-url';
import { resolveCredentials, type CredentialsSource } from './resolve-credentials';
import type { TlsConfig, UpstreamConfig } from './sync-config';

const OCI_LAYOUT = 'oci-layout:';

/**
 * Where a repository's content comes from. `upstream` is told apart by its form: `oci-layout:`
 * first, then anything with `://` as a URL, then a key of `registries` (whose names cannot hold
 * a colon, so the three never overlap). Problems go to the context; `undefined` means some were
 * added.
 */
export async function resolveUpstream(
  entry: RepositoryEntry,
  at: readonly PropertyKey[],
  ctx: LoadContext,
): Promise<UpstreamConfig | undefined> {
  if (entry.upstream.startsWith(OCI_LAYOUT)) return ociLayout(entry, at, ctx);

  const target = registryTarget(entry.upstream, [...at, 'upstream'], ctx);
  if (target === undefined) return undefined;

  const repository = upstreamRepositoryName(target.host, entry.repository ?? entry.name);
  const source = credentialsSource(entry, at, target.registry, ctx);
  const credentials = source && (await resolveCredentials(source, target.host, ctx));
  const tls = await resolveTls(target.registry, ctx);
  const { url } = target;
  const limits = target.registry?.entry;
  return {
    kind: 'registry',
    url,
    repository,
    ...(credentials && { credentials }),
    tls,
    ...(limits?.requests_per_second !== undefined && {
      requestsPerSecond: limits.requests_per_second,
    }),
    ...(limits?.max_retry_wait !== undefined && { maxRetryWaitMs: limits.max_retry_wait }),
  };
}

interface RegistryTarget extends RegistryUrl {
  registry?: { name: string; entry: RegistryEntry };
}

function registryTarget(
  value: string,
  at: PropertyKey[],
  ctx: LoadContext,
): RegistryTarget | undefined {
  if (value.includes('://')) {
    const parsed = parseRegistryUrl(value);
    if (!('problem' in parsed)) return parsed;
    ctx.problems.push({ path: at, message: parsed.problem });
    return undefined;
  }

  const entry = Object.hasOwn(ctx.registries, value) ? ctx.registries[value] : undefined;
  if (entry !== undefined) return { ...entry.url, registry: { name: value, entry } };

  const names = Object.keys(ctx.registries).join(', ') || 'none are defined';
  const expected = `an http(s) URL, oci-layout:<path> or a name under registries (${names})`;
  ctx.problems.push({ path: at, message: `expected ${expected}, got ${describeValue(value)}` });
  return undefined;
}

/** The repository's own block, else its registry's, else the one in `defaults`. */
function credentialsSource(
  entry: RepositoryEntry,
  at: readonly PropertyKey[],
  registry: RegistryTarget['registry'],
  ctx: LoadContext,
): CredentialsSource | undefined {
  if (entry.credentials) {
    return { entry: entry.credentials, path: [...at, 'credentials'], fromDefaults: false };
  }
  if (registry?.entry.credentials) {
    const path = ['registries', registry.name, 'credentials'];
    return { entry: registry.entry.credentials, path, fromDefaults: false };
  }
  if (ctx.defaults.credentials) {
    const path = ['defaults', 'credentials'];
    return { entry: ctx.defaults.credentials, path, fromDefaults: true };
  }
  return undefined;
}

/** Each file the registry's tls block names, made absolute and checked to be readable. */
async function resolveTls(registry: RegistryTarget['registry'], ctx: LoadContext) {
  const tls: TlsConfig = { insecure: registry?.entry.tls?.insecure ?? false };
  const entry = registry?.entry.tls;
  if (registry === undefined || entry === undefined) return tls;

  const fields = [
    ['ca_file', 'caFile'],
    ['client_cert', 'clientCert'],
    ['client_key', 'clientKey'],
  ] as const;
  for (const [key, field] of fields) {
    const value = entry[key];
    if (value === undefined) continue;
    const file = ctx.resolvePath(value);
    const problem = await ctx.unreadable(file);
    if (problem) {
      ctx.problems.push({ path: ['registries', registry.name, 'tls', key], message: problem });
    }
    tls[field] = file;
  }
  return tls;
}

/**
 * A layout holds its own tags and needs no login, so naming either for one is a mistake. The
 * directory must be there and readable when the config is loaded.
 */
async function ociLayout(entry: RepositoryEntry, at: readonly PropertyKey[], ctx: LoadContext) {
  const layoutPath = entry.upstream.slice(OCI_LAYOUT.length);
  if (layoutPath === '') {
    ctx.problems.push({ path: [...at, 'upstream'], message: 'expected a path after oci-layout:' });
  }
  for (const key of ['repository', 'credentials'] as const) {
    if (entry[key] === undefined) continue;
    ctx.problems.push({ path: [...at, key], message: 'not used with an oci-layout upstream' });
  }
  if (layoutPath === '') return undefined;
  const resolved = ctx.resolvePath(layoutPath);
  const problem = await ctx.unreadable(resolved, 'directory');
  if (problem) ctx.problems.push({ path: [...at, 'upstream'], message: problem });
  return { kind: 'oci-layout' as const, path: resolved };
}
