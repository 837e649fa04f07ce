import type { EntityManager } from 'typeorm';

/** The stored manifest document as jsonb. */
const DOCUMENT = "convert_from(m.data, 'UTF8')::jsonb";

/** A JSON value as an array to expand: an absent or null field (`"layers": null`) is empty. */
function arrayAt(json: string): string {
  return `CASE jsonb_typeof(${json}) WHEN 'array' THEN ${json} ELSE '[]'::jsonb END`;
}

/** Live content rows, the latest version of each repository. */
const LIVE = `SELECT repository_id, content_type, content_id FROM repository_content
               WHERE version_removed IS NULL`;

/**
 * Named queries that find what a crash or a bug could leave half-written. Each returns the
 * offending rows' keys; an empty result is a consistent catalog. Most join rows are held by
 * foreign keys, and their query is there so that the checks say so rather than assume it;
 * repository_content points at four tables and has none. Every layer of a manifest has its join
 * row, non-distributable ones (with `urls`) included, and a blob the store does not hold says
 * where it can be fetched.
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
  joinRowMissingEnd: `
    SELECT 'manifest_blob ' || x.manifest_id || ' ' || x.blob_id FROM manifest_blob x
     WHERE NOT EXISTS (SELECT 1 FROM manifest m WHERE m.id = x.manifest_id)
        OR NOT EXISTS (SELECT 1 FROM blob b WHERE b.id = x.blob_id)
    UNION ALL
    SELECT 'manifest_list_manifest ' || x.list_id || ' ' || x.child_id
      FROM manifest_list_manifest x
     WHERE NOT EXISTS (SELECT 1 FROM manifest m WHERE m.id = x.list_id)
        OR NOT EXISTS (SELECT 1 FROM manifest m WHERE m.id = x.child_id)
    UNION ALL
    SELECT 'manifest config ' || x.digest FROM manifest x
     WHERE x.config_blob_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM blob b WHERE b.id = x.config_blob_id)
    UNION ALL
    SELECT 'tag ' || x.name || ' ' || x.manifest_id FROM tag x
     WHERE NOT EXISTS (SELECT 1 FROM manifest m WHERE m.id = x.manifest_id)
    UNION ALL
    SELECT 'manifest_signature ' || x.digest FROM manifest_signature x
     WHERE NOT EXISTS (SELECT 1 FROM manifest m WHERE m.id = x.signed_manifest_id)
    UNION ALL
    SELECT 'repository_content ' || x.content_type || ':' || x.content_id
      FROM repository_content x
     WHERE NOT EXISTS (SELECT 1 FROM tag t WHERE x.content_type = 'tag' AND t.id = x.content_id)
       AND NOT EXISTS (SELECT 1 FROM manifest m
                        WHERE x.content_type = 'manifest' AND m.id = x.content_id)
       AND NOT EXISTS (SELECT 1 FROM blob b WHERE x.content_type = 'blob' AND b.id = x.content_id)
       AND NOT EXISTS (SELECT 1 FROM manifest_signature s
                        WHERE x.content_type = 'signature' AND s.id = x.content_id)`,
  liveContentNotClosed: `
    WITH live AS (${LIVE}), needs (repository_id, holder, type, id) AS (
      SELECT l.repository_id, 'tag:' || t.name, 'manifest', t.manifest_id
        FROM live l JOIN tag t ON l.content_type = 'tag' AND t.id = l.content_id
      UNION ALL
      SELECT l.repository_id, 'manifest:' || m.digest, 'blob', m.config_blob_id
        FROM live l JOIN manifest m ON l.content_type = 'manifest' AND m.id = l.content_id
       WHERE m.config_blob_id IS NOT NULL
      UNION ALL
      SELECT l.repository_id, 'manifest:' || m.digest, 'blob', mb.blob_id
        FROM live l JOIN manifest m ON l.content_type = 'manifest' AND m.id = l.content_id
        JOIN manifest_blob mb ON mb.manifest_id = m.id
      UNION ALL
      SELECT l.repository_id, 'manifest:' || m.digest, 'manifest', e.child_id
        FROM live l JOIN manifest m ON l.content_type = 'manifest' AND m.id = l.content_id
        JOIN manifest_list_manifest e ON e.list_id = m.id
      UNION ALL
      SELECT l.repository_id, 'signature:' || s.digest, 'manifest', s.signed_manifest_id
        FROM live l JOIN manifest_signature s ON l.content_type = 'signature' AND s.id = l.content_id
    )
    SELECT DISTINCT r.name || ' ' || n.holder || ' without ' || n.type || ':' || n.id
      FROM needs n JOIN repository r ON r.id = n.repository_id
     WHERE NOT EXISTS (SELECT 1 FROM live l
                        WHERE l.repository_id = n.repository_id
                          AND l.content_type = n.type AND l.content_id = n.id)`,
  versionWithoutContentChange: `
    SELECT r.name || ' v' || v.number FROM repository_version v
      JOIN repository r ON r.id = v.repository_id
     WHERE NOT EXISTS (SELECT 1 FROM repository_content rc
                        WHERE rc.repository_id = v.repository_id
                          AND (rc.version_added = v.number OR rc.version_removed = v.number))`,
  contentOfMissingVersion: `
    SELECT DISTINCT r.name || ' v' || n.number
      FROM repository_content rc
      JOIN repository r ON r.id = rc.repository_id
     CROSS JOIN LATERAL (VALUES (rc.version_added), (rc.version_removed)) AS n (number)
     WHERE n.number IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM repository_version v
                        WHERE v.repository_id = rc.repository_id AND v.number = n.number)`,
  duplicateLiveContent: `
    SELECT content_type || ':' || content_id FROM repository_content
     WHERE version_removed IS NULL
     GROUP BY repository_id, content_type, content_id HAVING count(*) > 1`,
  runWithoutItsVersion: `
    SELECT r.name || ' run ' || s.id || ' v' || s.version_number FROM sync_run s
      JOIN repository r ON r.id = s.repository_id
     WHERE s.version_number IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM repository_version v
                        WHERE v.repository_id = s.repository_id
                          AND v.number = s.version_number AND v.sync_run_id = s.id)`,
  versionOfUnendedRun: `
    SELECT r.name || ' v' || v.number FROM repository_version v
      JOIN repository r ON r.id = v.repository_id
      JOIN sync_run s ON s.id = v.sync_run_id
     WHERE s.result NOT IN ('success', 'partial') OR s.ended_at IS NULL
        OR s.version_number IS DISTINCT FROM v.number`,
  runLeftRunning: `
    SELECT r.name || ' run ' || s.id FROM sync_run s
      JOIN repository r ON r.id = s.repository_id
     WHERE s.result = 'running'
       AND EXISTS (SELECT 1 FROM sync_run later
                    WHERE later.repository_id = s.repository_id
                      AND later.started_at > s.started_at)`,
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
