import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Every row's id by its natural key, and which keys were in the table before the insert. */
export class UpsertedIds extends Map<string, string> {
  readonly existed = new Set<string>();
}

/**
 * Inserts rows that may already exist and returns every row's id by its natural key, telling
 * the rows it inserted from those that were there (`existed`).
 *
 * `INSERT ... ON CONFLICT DO NOTHING RETURNING` only returns the rows it inserted, and TypeORM
 * assigns returned ids to entities by position, so existing rows are read back by key instead.
 * Rows are deduplicated (Postgres refuses one key twice in a statement) and sorted by key, so
 * two syncs inserting overlapping rows lock them in the same order and cannot deadlock.
 */
export async function upsertByKey<E extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<E>,
  rows: E[],
  key: { columns: string[]; of: (row: E) => string },
): Promise<UpsertedIds> {
  const unique = new Map<string, E>();
  for (const row of rows) unique.set(key.of(row), row);
  const sorted = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const ids = new UpsertedIds();
  if (sorted.length === 0) return ids;

  const metadata = manager.connection.getMetadata(target);
  const propertyOf = (column: string) => {
    const meta = metadata.findColumnWithDatabaseName(column);
    if (!meta) throw new Error(`no column ${column} on ${metadata.tableName}`);
    return meta.propertyName;
  };
  const keyProps = key.columns.map(propertyOf);
  const keyOfRaw = (raw: Record<string, unknown>) =>
    key.of(Object.fromEntries(keyProps.map((p, i) => [p, raw[key.columns[i]!]])) as E);

  const inserted: Array<Record<string, unknown>> = await manager
    .createQueryBuilder()
    .insert()
    .into(target)
    .values(sorted.map(([, row]) => row))
    .orIgnore()
    .updateEntity(false)
    .returning(['id', ...key.columns].join(', '))
    .execute()
    .then((result) => result.raw as Array<Record<string, unknown>>);
  for (const raw of inserted) ids.set(keyOfRaw(raw), raw['id'] as string);

  const missing = sorted.filter(([k]) => !ids.has(k)).map(([, row]) => row);
  if (missing.length > 0) {
    const alias = 't';
    const qb = manager.createQueryBuilder(target, alias).select(`${alias}.id`, 'id');
    for (const column of key.columns) qb.addSelect(`${alias}.${column}`, column);
    const tuple = key.columns.map((c) => `${alias}.${c}`).join(', ');
    const params: Record<string, unknown> = {};
    const placeholders = missing.map((row, i) => {
      const names = keyProps.map((prop, j) => {
        params[`k${i}_${j}`] = row[prop];
        return `:k${i}_${j}`;
      });
      return `(${names.join(', ')})`;
    });
    qb.where(`(${tuple}) IN (${placeholders.join(', ')})`, params);
    for (const raw of await qb.getRawMany<Record<string, unknown>>()) {
      const existing = keyOfRaw(raw);
      ids.set(existing, raw['id'] as string);
      ids.existed.add(existing);
    }
  }
  return ids;
}
