import type { ConfigProblem } from './config-problem';
import type { DefaultsEntry, RegistryEntry } from './config-schema';
import { readDockerConfig, type DockerConfigRead } from './docker-config';
import { pathProblem, type PathKind } from './path-problem';
import { resolveConfigPath } from './resolve-config-path';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * What resolving one config file needs: its validated shared sections, where relative paths
 * start, the environment, and the list problems are added to. Files are read once per load
 * however many repositories name them.
 */
export interface LoadContext {
  defaults: DefaultsEntry;
  registries: Readonly<Record<string, RegistryEntry>>;
  env: Environment;
  problems: ConfigProblem[];
  resolvePath(value: string): string;
  dockerConfig(file: string): Promise<DockerConfigRead>;
  /** A problem when `file` is not a file (or directory) this process can read. */
  unreadable(file: string, kind?: PathKind): Promise<string | undefined>;
}

export function createLoadContext(
  sections: { defaults: DefaultsEntry; registries: Readonly<Record<string, RegistryEntry>> },
  baseDir: string,
  env: Environment,
  home: string,
): LoadContext {
  const dockerConfigs = new Map<string, Promise<DockerConfigRead>>();
  const readChecks = new Map<string, Promise<string | undefined>>();

  return {
    ...sections,
    env,
    problems: [],
    resolvePath: (value) => resolveConfigPath(value, baseDir, home),
    dockerConfig(file) {
      const cached = dockerConfigs.get(file) ?? readDockerConfig(file);
      dockerConfigs.set(file, cached);
      return cached;
    },
    unreadable(file, kind = 'file') {
      const key = `${kind}:${file}`;
      const cached = readChecks.get(key) ?? pathProblem(file, kind);
      readChecks.set(key, cached);
      return cached;
    },
  };
}
