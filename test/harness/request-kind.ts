/** What a registry API request asks for, as the counting proxy tallies it. */
export const REQUEST_KINDS = [
  'ping',
  'tags',
  'manifestHead',
  'manifestGet',
  'blobHead',
  'blobGet',
  'other',
] as const;

export type RequestKind = (typeof REQUEST_KINDS)[number];

/*
 * Routes of the distribution spec (spec.md, "Endpoints"). The repository name takes every path
 * component before the last route segment, so `a/b/c` names are matched whole. A blob route
 * needs a digest-shaped last segment, which keeps `blobs/uploads/...` out.
 */
const TAGS_ROUTE = /^\/v2\/.+\/tags\/list$/;
const MANIFEST_ROUTE = /^\/v2\/.+\/manifests\/[^/]+$/;
const BLOB_ROUTE = /^\/v2\/.+\/blobs\/[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Classifies a request by method and path (the path without its query string). */
export function classifyRequest(method: string, path: string): RequestKind {
  const read = method === 'GET' || method === 'HEAD';
  if (!read) return 'other';

  if (path === '/v2/' || path === '/v2') return 'ping';
  if (TAGS_ROUTE.test(path)) return 'tags';
  if (MANIFEST_ROUTE.test(path)) return method === 'GET' ? 'manifestGet' : 'manifestHead';
  if (BLOB_ROUTE.test(path)) return method === 'GET' ? 'blobGet' : 'blobHead';
  return 'other';
}
