import type { CommandContext } from './command-context';
import { openCommandApp } from './open-command-app';

/**
 * `container-sync migrate`: applies pending migrations, each in its own transaction, and logs
 * which. `sync` applies them too; this is for deployments that change the schema ahead of the
 * service, or databases the service's user may not alter.
 */
export async function runMigrateCommand(
  options: { config?: string },
  ctx: CommandContext,
): Promise<string[]> {
  const { log } = ctx;
  const { app } = await openCommandApp(options.config, ctx, { migrate: false });
  try {
    const applied = await app.catalog.dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) log.info({ migration: migration.name }, 'migration applied');
    const names = applied.map((migration) => migration.name);
    log.info({ applied: names.length }, 'schema up to date');
    return names;
  } finally {
    await app.close();
  }
}
