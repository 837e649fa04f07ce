import { Client } from 'pg';

/** A column of the catalog that holds text in some form, as information_schema names it. */
export interface TextColumn {
  schema: string;
  table: string;
  column: string;
  bytes: boolean;
}

export interface CatalogHit {
  table: string;
  column: string;
  needle: string;
  rows: number;
}

/** Every column whose type can hold text: strings, JSON, bytes, and arrays of those. */
const TEXT_COLUMNS = `
  SELECT table_schema AS schema, table_name AS table, column_name AS column,
         data_type = 'bytea' AS bytes
    FROM information_schema.columns
   WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
     AND (data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')
          OR (data_type = 'ARRAY'
              AND udt_name IN ('_text', '_varchar', '_bpchar', '_json', '_jsonb')))
   ORDER BY table_schema, table_name, column_name`;

function quoted(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/**
 * Looks for each needle in every row of every text-like column of a database, tables found
 * through information_schema rather than named, so a column added later is searched too. Bytes
 * columns are searched for the needle's UTF-8 bytes, the others in their text form.
 */
export async function searchCatalog(
  url: string,
  needles: readonly string[],
): Promise<{ columns: TextColumn[]; hits: CatalogHit[] }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: columns } = await client.query<TextColumn>(TEXT_COLUMNS);
    const hits: CatalogHit[] = [];
    for (const { schema, table, column, bytes } of columns) {
      const from = `${quoted(schema)}.${quoted(table)}`;
      const where = bytes
        ? `position($1::bytea in ${quoted(column)}) > 0`
        : `strpos(${quoted(column)}::text, $1) > 0`;
      for (const needle of needles) {
        const value = bytes ? Buffer.from(needle, 'utf8') : needle;
        const sql = `SELECT count(*)::int AS rows FROM ${from} WHERE ${where}`;
        const { rows } = await client.query<{ rows: number }>(sql, [value]);
        const found = rows[0]?.rows ?? 0;
        if (found > 0) hits.push({ table, column, needle, rows: found });
      }
    }
    return { columns, hits };
  } finally {
    await client.end();
  }
}
