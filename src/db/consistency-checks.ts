import type { EntityManager } from 'typeorm';

/** The stored manifest document as jsonb. */
const DOCUMENT = "convert_from(m.data, 'UTF8')::jsonb";

/** A JSON value as an array to expand: an absent or null field (`"layers": null`) is empty. */
function arrayAt(json: string): string {
  return `CASE jsonb_typeof(${json}) WHEN 'array' THEN ${json} ELSE '[]'::jsonb END`;
}

/**
 * Named queries that find what a crash or a bug could leave half-written. Each returns the
 * offending rows' keys; an empty result is a consistent catalog. Join rows cannot lose an end:
 * foreign keys hold them. Every layer of a manifest has its join row, non-distributable ones
 * (with `urls`) included, and a blob the store does not hold says where it can be fetched.
 */
export const CONSISTENCY_QUERIES = {
  manifestWithoutConfig: `
    SELECT digest FROM manifest
     WHERE schema_version = 2 AND kind <> 'index' AND config_blob_id IS NULL
       AND convert_from(data, 'UTF8')::jsonb -> 'config' ->> 'digest' <> ''`,
  manifestMissingLayers: `
    SELECT m.digest FROM manifest m
     WHERE m.kind <> 'index'
       AND (SELECT count(DISTINCT l ->> 'digest')
              FROM jsonb_array_elements(${arrayAt(
                DOCUMENT +
                  ' -> ' +
                  "CASE WHEN m.schema_version = 1 THEN 'fsLayers' ELSE 'layers' END",
              )}) AS l
             WHERE COALESCE(l ->> 'digest', l ->> 'blobSum') IS NOT NULL)
         > (SELECT count(*) FROM manifest_blob mb WHERE mb.manifest_id = m.id)`,
  unstoredBlobWithoutSource: `
    SELECT b.digest FROM blob b
     WHERE NOT b.stored AND NOT EXISTS (SELECT 1 FROM blob_source s WHERE s.blob_id = b.id)`,
  listMissingChildren: `
    SELECT m.digest FROM manifest m
     WHERE m.kind = 'index'
       AND (SELECT count(DISTINCT e ->> 'digest')
              FROM jsonb_array_elements(${arrayAt(DOCUMENT + " -> 'manifests'")}) AS e)
         > (SELECT count(*) FROM manifest_list_manifest mlm WHERE mlm.list_id = m.id)`,
  versionWithoutContentChange: `
    SELECT r.name || ' v' || v.number FROM repository_version v
      JOIN repository r ON r.id = v.repository_id
     WHERE NOT EXISTS (SELECT 1 FROM repository_content rc
                        WHERE rc.repository_id = v.repository_id
                          AND (rc.version_added = v.number OR rc.version_removed = v.number))`,
  contentOfMissingVersion: `
    SELECT DISTINCT r.name || ' v' || rc.version_added FROM repository_content rc
      JOIN repository r ON r.id = rc.repository_id
     WHERE NOT EXISTS (SELECT 1 FROM repository_version v
                        WHERE v.repository_id = rc.repository_id AND v.number = rc.version_added)`,
  duplicateLiveContent: `
    SELECT content_type || ':' || content_id FROM repository_content
     WHERE version_removed IS NULL
     GROUP BY repository_id, content_type, content_id HAVING count(*) > 1`,
} as const;

export type ConsistencyCheck = keyof typeof CONSISTENCY_QUERIES;

export async function checkCatalog(
  manager: EntityManager,
): Promise<Record<ConsistencyCheck, string[]>> {
  const found = {} as Record<ConsistencyCheck, string[]>;
  for (const [name, sql] of Object.entries(CONSISTENCY_QUERIES)) {
    const rows: Array<Record<string, string>> = await manager.query(sql);
    found[name as ConsistencyCheck] = rows.map((row) => Object.values(row)[0]!);
  }
  return found;
}
