import { readRepositoryStatus, type RepositoryStatus } from '../app/read-repository-status';
import { SyncError } from '../errors';
import type { CommandContext } from './command-context';
import { openCommandApp } from './open-command-app';

/**
 * `container-sync status`: the configured repositories (or, without a config, every repository
 * in the catalog). Read-only: a schema with pending migrations is reported, not changed, since
 * whoever runs a status may not be the one who should alter a shared database.
 */
export async function runStatusCommand(
  options: { config?: string },
  ctx: CommandContext,
): Promise<RepositoryStatus[]> {
  const opening = { migrate: false, existing: true };
  const { config, app } = await openCommandApp(options.config, ctx, opening);
  try {
    if (await app.catalog.dataSource.showMigrations()) {
      const message = 'the catalog has pending migrations; run `container-sync migrate` first';
      throw new SyncError('DATABASE_ERROR', message);
    }
    const names = config?.repositories.map((repository) => repository.name);
    return await readRepositoryStatus(app.catalog, names);
  } finally {
    await app.close();
  }
}
