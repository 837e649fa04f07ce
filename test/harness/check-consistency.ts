import type { Catalog } from '../../src/db/catalog';
import { checkCatalog, CONSISTENCY_QUERIES } from '../../src/db/consistency-checks';
import { checkStore, STORE_CHECKS } from '../../src/db/store-checks';
import type { BlobStore } from '../../src/storage/blob-store';

/** The name of every check checkConsistency runs. */
export const CHECK_NAMES: readonly string[] = [
  ...Object.keys(CONSISTENCY_QUERIES),
  ...STORE_CHECKS,
];

/**
 * Every named consistency check: the catalog's queries and the store against the catalog. Each
 * name maps to what it found; a consistent catalog and store give only empty lists.
 */
export async function checkConsistency(
  catalog: Catalog,
  store: BlobStore,
): Promise<Record<string, string[]>> {
  const rows = await catalog.read((m) => checkCatalog(m));
  return { ...rows, ...(await checkStore(catalog, store)) };
}

/** Only the checks that found something, for an assertion that names them when it fails. */
export async function inconsistencies(
  catalog: Catalog,
  store: BlobStore,
): Promise<Record<string, string[]>> {
  const found = await checkConsistency(catalog, store);
  return Object.fromEntries(Object.entries(found).filter(([, keys]) => keys.length > 0));
}
