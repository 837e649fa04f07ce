import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MANIFEST_ACCEPT, LIST_MEDIA_TYPES } from '../../src/content/media-types';
import type { Catalog } from '../../src/db/catalog';
import type { AnyDc } from '../../src/pipeline/declarative-content';
import type { SavedBatch } from '../harness/sync-rig';
import { closeRegistryHttp, createRegistryHttp, expectStatus } from '../harness/registry-http';

/** What a correct sync of some manifests records, computed from the documents themselves. */
export interface ExpectedRows {
  blobs: string[];
  manifests: string[];
  /** `manifest layer`, each pair once. */
  manifestBlobs: string[];
  /** `list child arch os variant`. */
  listEntries: string[];
  /** `manifest config`. */
  configs: string[];
}

interface ManifestDocument {
  config?: { digest: string };
  layers?: Array<{ digest: string }>;
  manifests?: Array<{
    digest: string;
    platform?: { architecture?: string; os?: string; variant?: string };
  }>;
}

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

/** Expected rows for every manifest in `manifests` (media type tells lists from images). */
export function expectedRows(
  manifests: Map<string, { bytes: Buffer; mediaType: string }>,
): ExpectedRows {
  const blobs: string[] = [];
  const manifestBlobs: string[] = [];
  const listEntries: string[] = [];
  const configs: string[] = [];
  for (const [digest, { bytes, mediaType }] of manifests) {
    const doc = JSON.parse(bytes.toString('utf8')) as ManifestDocument;
    if (LIST_MEDIA_TYPES.has(mediaType)) {
      for (const entry of doc.manifests ?? []) {
        const p = entry.platform ?? {};
        listEntries.push(
          [digest, entry.digest, p.architecture ?? '', p.os ?? '', p.variant ?? ''].join(' '),
        );
      }
      continue;
    }
    if (doc.config) {
      blobs.push(doc.config.digest);
      configs.push(`${digest} ${doc.config.digest}`);
    }
    for (const layer of doc.layers ?? []) {
      blobs.push(layer.digest);
      manifestBlobs.push(`${digest} ${layer.digest}`);
    }
  }
  return {
    blobs: sortedUnique(blobs),
    manifests: sortedUnique(manifests.keys()),
    manifestBlobs: sortedUnique(manifestBlobs),
    listEntries: sortedUnique(listEntries),
    configs: sortedUnique(configs),
  };
}

/**
 * The same shape read from the whole catalog, one string per row (duplicates kept, so a row
 * written twice shows). Join rows are named by the digests they connect.
 */
export async function catalogRows(catalog: Catalog): Promise<ExpectedRows> {
  return catalog.read(async (m) => {
    const strings = async (sql: string) =>
      ((await m.query(sql)) as Array<{ row: string }>).map((r) => r.row).sort();
    return {
      blobs: await strings(`SELECT digest AS row FROM blob`),
      manifests: await strings(`SELECT digest AS row FROM manifest`),
      manifestBlobs: await strings(
        `SELECT m.digest || ' ' || b.digest AS row FROM manifest_blob mb
           JOIN manifest m ON m.id = mb.manifest_id JOIN blob b ON b.id = mb.blob_id`,
      ),
      listEntries: await strings(
        `SELECT concat_ws(' ', l.digest, c.digest, coalesce(e.architecture, ''),
                coalesce(e.os, ''), coalesce(e.variant, '')) AS row
           FROM manifest_list_manifest e
           JOIN manifest l ON l.id = e.list_id JOIN manifest c ON c.id = e.child_id`,
      ),
      configs: await strings(
        `SELECT m.digest || ' ' || b.digest AS row FROM manifest m
           JOIN blob b ON b.id = m.config_blob_id`,
      ),
    };
  });
}

/** Row counts of the join tables, straight from the database. */
export async function joinRowCounts(catalog: Catalog) {
  return catalog.read(async (m) => {
    const count = async (table: string) =>
      Number(((await m.query(`SELECT count(*) AS n FROM ${table}`)) as Array<{ n: string }>)[0]!.n);
    return {
      manifestBlob: await count('manifest_blob'),
      manifestListManifest: await count('manifest_list_manifest'),
    };
  });
}

export async function fileDigest(path: string): Promise<string> {
  return `sha256:${createHash('sha256')
    .update(await readFile(path))
    .digest('hex')}`;
}

/**
 * GETs a manifest straight from the registry, accepting every type (a narrower Accept can make
 * the registry convert it), and returns the digest it reports and the digest of the bytes.
 */
export async function registryManifestDigest(registryUrl: string, repo: string, reference: string) {
  const http = createRegistryHttp();
  try {
    const response = await http.get(`${registryUrl}/v2/${repo}/manifests/${reference}`, {
      headers: { Accept: MANIFEST_ACCEPT.join(', ') },
    });
    expectStatus(response, [200], `GET manifest ${repo}:${reference}`);
    const bytes = Buffer.from(response.data as ArrayBuffer);
    return {
      reported: String(response.headers['docker-content-digest']),
      computed: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    };
  } finally {
    closeRegistryHttp(http);
  }
}

/**
 * Checks the save order the batches of a run show: every dependency that was itself a DC of
 * the run was committed in an earlier batch than its dependent. Returns each edge checked, as
 * `dependency -> dependent`, and each edge that broke the rule.
 */
export function saveOrder(batches: readonly SavedBatch[]) {
  const batchOf = new Map<AnyDc, number>();
  for (const batch of batches) for (const dc of batch.items) batchOf.set(dc, batch.number);

  const checked: string[] = [];
  const violations: string[] = [];
  for (const { label, dependency, dependent } of batches.flatMap((batch) => batch.edges)) {
    const edge = `${label} ${dependency.key} -> ${dependent.key}`;
    checked.push(edge);
    const before = batchOf.get(dependency);
    const after = batchOf.get(dependent)!;
    if (before === undefined || before >= after) {
      violations.push(`${edge}: batch ${before ?? 'never'} is not before batch ${after}`);
    }
  }
  return { checked: checked.sort(), violations };
}

/** The edges `saveOrder` should check for a first sync of these manifests and tags. */
export function expectedEdges(
  manifests: Map<string, { bytes: Buffer; mediaType: string }>,
  tags: Record<string, string>,
): string[] {
  const edges = new Set<string>();
  for (const [digest, { bytes, mediaType }] of manifests) {
    const doc = JSON.parse(bytes.toString('utf8')) as ManifestDocument;
    if (LIST_MEDIA_TYPES.has(mediaType)) {
      for (const entry of doc.manifests ?? []) edges.add(`child ${entry.digest} -> ${digest}`);
      continue;
    }
    if (doc.config) edges.add(`config ${doc.config.digest} -> ${digest}`);
    for (const layer of doc.layers ?? []) edges.add(`layer ${layer.digest} -> ${digest}`);
  }
  for (const [tag, digest] of Object.entries(tags)) {
    edges.add(`tag ${digest} -> ${tag}@${digest}`);
  }
  return [...edges].sort();
}
