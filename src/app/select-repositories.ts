import type { RepositoryConfig, SyncConfig } from '../config/sync-config';
import { SyncError } from '../errors';

/** Every configured repository in file order, or only the one named (`--repository`). */
export function selectRepositories(config: SyncConfig, name?: string): RepositoryConfig[] {
  if (name === undefined) return config.repositories;
  const found = config.repositories.find((repository) => repository.name === name);
  if (found) return [found];

  const names = config.repositories.map((repository) => repository.name).join(', ');
  const wanted = JSON.stringify(name);
  const message = `${config.file}: no repository named ${wanted} (configured: ${names})`;
  throw new SyncError('CONFIG_INVALID', message, { file: config.file, repository: name });
}
