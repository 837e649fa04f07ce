import { access } from 'node:fs/promises';
import type { ConfigProblem } from './config-problem';
import type { DefaultsEntry, RegistryEntry } from './config-schema';
import { readDockerConfig, type DockerConfigRead } from './docker-config';
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
  /** A problem when the file cannot be read by this process. */
  unreadable(file: string): Promise<string | undefined>;
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
    unreadable(file) {
      const cached = readChecks.get(file) ?? checkReadable(file);
      readChecks.set(file, cached);
      return cached;
    },
  };
}

async function checkReadable(file: string): Promise<string | undefined> {
  try {
    await access(file);
    return undefined;
  } catch (err) {
    return `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`;
  }
}
