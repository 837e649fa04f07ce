import type { EntityManager } from 'typeorm';
import { crashPoint } from '../crash-points';
import { Repository } from './entities/repository';
import type { ContentType } from './entities/repository-content';
import { RepositoryVersion } from './entities/repository-version';

export interface VersionChange {
  /** The new version's number, or null when the content did not change. */
  number: number | null;
  added: number;
  removed: number;
}

type ContentKey = `${ContentType}:${string}`;

/**
 * Makes the next version of a repository from the tags a sync found.
 *
 * The new version holds those tags and untagged manifests (digest includes), the manifests they
 * reach (children of lists, recursively)
 * and those manifests' config and layer blobs, read from the catalog, so a tag whose manifest was
 * already known costs no download to include. In mirror mode the old content that is not found
 * again leaves the version; otherwise it stays, except that a tag name now pointing elsewhere
 * replaces its old row (one tag per name per version). `keepTagNames` (tags that failed this
 * run) keep their old rows in either mode, and `keepManifestDigests` (digest includes that
 * failed) keep their untagged manifests: what a run could not check again stays. No change, no
 * version.
 */
export async function createNextVersion(
  manager: EntityManager,
  repositoryId: string,
  synced: { tagIds: string[]; manifestIds: string[]; signatureIds?: string[] },
  options: {
    mirror: boolean;
    syncRunId: string;
    keepTagNames?: string[];
    keepManifestDigests?: string[];
  },
): Promise<VersionChange> {
  // Serializes version creation per repository between processes and connections.
  await manager
    .createQueryBuilder(Repository, 'r')
    .setLock('pessimistic_write')
    .where('r.id = :repositoryId', { repositoryId })
    .getOne();

  const current = await liveContent(manager, repositoryId);
  const wanted = await reachableContent(manager, synced.tagIds, synced.manifestIds);
  const syncedNames = await tagNames(manager, synced.tagIds);
  const keepNames = new Set(options.keepTagNames ?? []);
  const keepManifests = await manifestKeys(manager, options.keepManifestDigests ?? []);

  for (const [key, tagName] of current) {
    if (wanted.has(key)) continue;
    const keep =
      tagName !== undefined
        ? !syncedNames.has(tagName) && (!options.mirror || keepNames.has(tagName))
        : !options.mirror || keepManifests.has(key);
    if (keep) wanted.set(key, tagName);
  }
  if (options.mirror) {
    // Content still reached by a kept tag or kept manifest stays.
    const keptTagIds = [...wanted.keys()]
      .filter((k) => k.startsWith('tag:'))
      .map((k) => k.slice(4));
    const keptManifestIds = [...keepManifests]
      .filter((k) => wanted.has(k))
      .map((k) => k.slice('manifest:'.length));
    for (const [key] of await reachableContent(manager, keptTagIds, keptManifestIds)) {
      wanted.set(key, undefined);
    }
  }
  // Signatures found this run join the version; earlier ones stay while their manifest does.
  for (const id of synced.signatureIds ?? []) wanted.set(`signature:${id}`, undefined);
  for (const [key, manifestId] of await liveSignatures(manager, repositoryId)) {
    if (wanted.has(`manifest:${manifestId}`)) wanted.set(key, undefined);
    else wanted.delete(key);
  }

  const added = [...wanted.keys()].filter((k) => !current.has(k));
  const removed = [...current.keys()].filter((k) => !wanted.has(k));
  if (added.length === 0 && removed.length === 0) return { number: null, added: 0, removed: 0 };

  const latest = await manager
    .createQueryBuilder(RepositoryVersion, 'v')
    .select('MAX(v.number)', 'max')
    .where('v.repository_id = :repositoryId', { repositoryId })
    .getRawOne<{ max: number | null }>();
  const number = (latest?.max ?? 0) + 1;

  await manager.insert(RepositoryVersion, { repositoryId, number, syncRunId: options.syncRunId });
  crashPoint('version.row-written', { version: number });
  if (removed.length > 0) {
    await manager.query(
      `UPDATE repository_content SET version_removed = $1
        WHERE repository_id = $2 AND version_removed IS NULL
          AND content_type || ':' || content_id::text = ANY($3::text[])`,
      [number, repositoryId, removed],
    );
  }
  if (added.length > 0) {
    await manager.query(
      `INSERT INTO repository_content (repository_id, content_type, content_id, version_added)
       SELECT $1, split_part(k, ':', 1), split_part(k, ':', 2)::uuid, $2
         FROM unnest($3::text[]) AS k`,
      [repositoryId, number, added],
    );
  }
  return { number, added: added.length, removed: removed.length };
}

/** The live signatures of the latest version, with the manifest each signs. */
async function liveSignatures(manager: EntityManager, repositoryId: string) {
  const rows: Array<{ key: ContentKey; manifest_id: string }> = await manager.query(
    `SELECT 'signature:' || s.id::text AS key, s.signed_manifest_id AS manifest_id
       FROM repository_content rc JOIN manifest_signature s ON s.id = rc.content_id
      WHERE rc.repository_id = $1 AND rc.content_type = 'signature'
        AND rc.version_removed IS NULL`,
    [repositoryId],
  );
  return new Map(rows.map((r) => [r.key, r.manifest_id]));
}

/** The live content of the latest version, with tag names for tag rows. */
async function liveContent(manager: EntityManager, repositoryId: string) {
  const rows: Array<{ key: ContentKey; tag_name: string | null }> = await manager.query(
    `SELECT rc.content_type || ':' || rc.content_id::text AS key, t.name AS tag_name
       FROM repository_content rc
       LEFT JOIN tag t ON rc.content_type = 'tag' AND t.id = rc.content_id
      WHERE rc.repository_id = $1 AND rc.version_removed IS NULL`,
    [repositoryId],
  );
  return new Map(rows.map((r) => [r.key, r.tag_name ?? undefined]));
}

/** Tags, the manifests they (and `manifestIds`) reach through lists, and their blobs. */
async function reachableContent(manager: EntityManager, tagIds: string[], manifestIds: string[]) {
  const wanted = new Map<ContentKey, string | undefined>();
  if (tagIds.length === 0 && manifestIds.length === 0) return wanted;
  const rows: Array<{ key: ContentKey; tag_name: string | null }> = await manager.query(
    `WITH RECURSIVE tags AS (
       SELECT id, name, manifest_id FROM tag WHERE id = ANY($1::uuid[])
     ), reached (id) AS (
       SELECT manifest_id FROM tags
       UNION
       SELECT unnest($2::uuid[])
       UNION
       SELECT mlm.child_id FROM manifest_list_manifest mlm JOIN reached r ON mlm.list_id = r.id
     )
     SELECT 'tag:' || id::text AS key, name AS tag_name FROM tags
     UNION ALL SELECT 'manifest:' || id::text, NULL FROM reached
     UNION ALL
     SELECT DISTINCT 'blob:' || b.blob_id::text, NULL FROM (
       SELECT mb.blob_id FROM manifest_blob mb JOIN reached r ON mb.manifest_id = r.id
       UNION
       SELECT m.config_blob_id FROM manifest m JOIN reached r ON m.id = r.id
        WHERE m.config_blob_id IS NOT NULL
     ) b`,
    [tagIds, manifestIds],
  );
  for (const r of rows) wanted.set(r.key, r.tag_name ?? undefined);
  return wanted;
}

/** Content keys of the manifests with these digests that the catalog has. */
async function manifestKeys(manager: EntityManager, digests: string[]): Promise<Set<ContentKey>> {
  if (digests.length === 0) return new Set();
  const rows: Array<{ key: ContentKey }> = await manager.query(
    `SELECT 'manifest:' || id::text AS key FROM manifest WHERE digest = ANY($1::varchar[])`,
    [digests],
  );
  return new Set(rows.map((r) => r.key));
}

async function tagNames(manager: EntityManager, tagIds: string[]): Promise<Set<string>> {
  if (tagIds.length === 0) return new Set();
  const rows: Array<{ name: string }> = await manager.query(
    `SELECT name FROM tag WHERE id = ANY($1::uuid[])`,
    [tagIds],
  );
  return new Set(rows.map((r) => r.name));
}
