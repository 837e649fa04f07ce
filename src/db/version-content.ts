import type { EntityManager } from 'typeorm';

/** What one repository version holds, by digest: the shape `expected/*.json` uses. */
export interface VersionContent {
  version: number | null;
  tags: Record<string, string>;
  manifests: Record<string, { mediaType: string; kind: string; schemaVersion: number }>;
  blobs: string[];
  manifestBlobs: Array<[string, string]>;
  manifestConfigs: Record<string, string>;
  listManifests: Array<[string, string, string, string, string]>;
  signatures: Array<{ digest: string; manifest: string; type: string; keyId: string | null }>;
}

const IN_VERSION = `rc.repository_id = r.id
  AND rc.version_added <= $2 AND (rc.version_removed IS NULL OR rc.version_removed > $2)`;

/** Reads a version (the latest when `version` is omitted) of the named repository. */
export async function readVersionContent(
  manager: EntityManager,
  repository: string,
  version?: number,
): Promise<VersionContent> {
  const latest: Array<{ number: number | null }> = await manager.query(
    `SELECT MAX(v.number) AS number FROM repository_version v
       JOIN repository r ON r.id = v.repository_id WHERE r.name = $1`,
    [repository],
  );
  const number = version ?? latest[0]?.number ?? null;
  const empty: VersionContent = {
    version: number,
    tags: {},
    manifests: {},
    blobs: [],
    manifestBlobs: [],
    manifestConfigs: {},
    listManifests: [],
    signatures: [],
  };
  if (number === null) return empty;

  const params = [repository, number];
  const member = (type: string, table: string) =>
    `SELECT c.* FROM ${table} c JOIN repository_content rc
       ON rc.content_type = '${type}' AND rc.content_id = c.id
       JOIN repository r ON r.name = $1 WHERE ${IN_VERSION}`;

  const tags: Array<{ name: string; digest: string }> = await manager.query(
    `SELECT t.name, m.digest
       FROM (${member('tag', 'tag')}) t JOIN manifest m ON m.id = t.manifest_id`,
    params,
  );
  const manifests: Array<{
    digest: string;
    media_type: string;
    kind: string;
    schema_version: number;
    config: string | null;
  }> = await manager.query(
    `SELECT m.digest, m.media_type, m.kind, m.schema_version, b.digest AS config
       FROM (${member('manifest', 'manifest')}) m LEFT JOIN blob b ON b.id = m.config_blob_id`,
    params,
  );
  const blobs: Array<{ digest: string }> = await manager.query(
    `SELECT digest FROM (${member('blob', 'blob')}) b ORDER BY digest`,
    params,
  );
  const links: Array<{ manifest: string; blob: string }> = await manager.query(
    `SELECT m.digest AS manifest, b.digest AS blob
       FROM (${member('manifest', 'manifest')}) m
       JOIN manifest_blob mb ON mb.manifest_id = m.id JOIN blob b ON b.id = mb.blob_id
      ORDER BY 1, 2`,
    params,
  );
  const entries: Array<{
    list: string;
    child: string;
    architecture: string | null;
    os: string | null;
    variant: string | null;
  }> = await manager.query(
    `SELECT l.digest AS list, c.digest AS child, e.architecture, e.os, e.variant
       FROM (${member('manifest', 'manifest')}) l
       JOIN manifest_list_manifest e ON e.list_id = l.id JOIN manifest c ON c.id = e.child_id
      ORDER BY 1, 2`,
    params,
  );
  const signatures: Array<{
    digest: string;
    manifest: string;
    type: string;
    key_id: string | null;
  }> = await manager.query(
    `SELECT s.digest, m.digest AS manifest, s.type, s.key_id
         FROM (${member('signature', 'manifest_signature')}) s
         JOIN manifest m ON m.id = s.signed_manifest_id
        ORDER BY s.digest`,
    params,
  );

  return {
    version: number,
    tags: Object.fromEntries(tags.map((t) => [t.name, t.digest])),
    manifests: Object.fromEntries(
      manifests.map((m) => [
        m.digest,
        { mediaType: m.media_type, kind: m.kind, schemaVersion: m.schema_version },
      ]),
    ),
    blobs: blobs.map((b) => b.digest),
    manifestBlobs: links.map((l) => [l.manifest, l.blob]),
    manifestConfigs: Object.fromEntries(
      manifests.flatMap((m) => (m.config ? [[m.digest, m.config]] : [])),
    ),
    listManifests: entries.map((e) => [
      e.list,
      e.child,
      e.architecture ?? '',
      e.os ?? '',
      e.variant ?? '',
    ]),
    signatures: signatures.map((s) => ({
      digest: s.digest,
      manifest: s.manifest,
      type: s.type,
      keyId: s.key_id,
    })),
  };
}
