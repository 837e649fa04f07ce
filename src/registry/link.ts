import { SyncError } from '../errors';

/** One `<target>; params` element of a Link header; commas inside quoted params are kept. */
const LINK_VALUE = /<([^>]*)>((?:[^,<"]|"[^"]*")*)/g;
const REL_PARAM = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i;

/**
 * The `rel="next"` target of a Link header (RFC 8288), as the distribution spec pages tag lists
 * ("Listing Tags"). Resolved against the URL of the request that returned it, so relative and
 * absolute targets both work; the query is opaque and kept as sent. A target on another origin
 * is refused: following it would send our credentials, or trust pages, to a host we never chose.
 */
export function nextLink(header: string | string[] | undefined, requestUrl: URL): URL | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(', ') : header;

  for (const [, target = '', params = ''] of text.matchAll(LINK_VALUE)) {
    const rel = REL_PARAM.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return resolveSameOrigin(target.trim(), requestUrl);
  }
  return undefined;
}

function resolveSameOrigin(target: string, requestUrl: URL): URL {
  let next: URL;
  try {
    next = new URL(target, requestUrl);
  } catch (err) {
    throw new SyncError(
      'LINK_REFUSED',
      `Link target is not a URL: ${target.slice(0, 200)}`,
      {
        url: requestUrl.href,
      },
      { cause: err },
    );
  }
  if (next.origin !== requestUrl.origin) {
    throw new SyncError('LINK_REFUSED', `Link points to another origin: ${next.origin}`, {
      url: `${next.origin}${next.pathname}`,
    });
  }
  return next;
}
