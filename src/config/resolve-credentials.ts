import type { Credentials } from '../registry/basic-auth';
import type { CredentialsEntry } from './config-schema';
import { findDockerCredentials } from './docker-config';
import type { LoadContext } from './load-context';

/** A `credentials` block, where it sits in the file, and whether it came from `defaults`. */
export interface CredentialsSource {
  entry: CredentialsEntry;
  path: readonly PropertyKey[];
  /**
   * Defaults apply to every upstream, and a Docker config rarely lists all of them (public
   * registries need nothing), so a missing host is anonymous access there and an error elsewhere.
   */
  fromDefaults: boolean;
}

/**
 * Reads the username and password a credentials block points at, for one registry host. Problems
 * name the variable or file, never a value read from it.
 */
export async function resolveCredentials(
  source: CredentialsSource,
  host: string,
  ctx: LoadContext,
): Promise<Credentials | undefined> {
  const { entry, path } = source;
  if (entry.username_env !== undefined && entry.password_env !== undefined) {
    const username = readEnv(entry.username_env, [...path, 'username_env'], ctx);
    const password = readEnv(entry.password_env, [...path, 'password_env'], ctx);
    return username !== undefined && password !== undefined ? { username, password } : undefined;
  }
  if (entry.docker_config === undefined) return undefined;

  const at = [...path, 'docker_config'];
  const file = ctx.resolvePath(entry.docker_config);
  const read = await ctx.dockerConfig(file);
  if ('problem' in read) return report(ctx, at, read.problem);

  const found = findDockerCredentials(read.auths, host, file);
  if (found === undefined) {
    if (source.fromDefaults) return undefined;
    return report(ctx, at, `Docker config file ${file} has no auths entry for ${host}`);
  }
  return 'problem' in found ? report(ctx, at, found.problem) : found;
}

/** An empty value counts as unset: no registry takes an empty username or password. */
function readEnv(name: string, path: PropertyKey[], ctx: LoadContext): string | undefined {
  const value = ctx.env[name];
  if (value === undefined) return report(ctx, path, `environment variable ${name} is not set`);
  if (value === '') return report(ctx, path, `environment variable ${name} is empty`);
  return value;
}

function report(ctx: LoadContext, path: readonly PropertyKey[], message: string): undefined {
  ctx.problems.push({ path, message });
  return undefined;
}
