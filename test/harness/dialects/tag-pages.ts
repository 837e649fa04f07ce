import type { IncomingMessage, ServerResponse } from 'node:http';

/** How a page names the next one in its `Link: <...>; rel="next"` header. */
export type NextStyle =
  | { kind: 'relative' }
  | { kind: 'absolute'; origin: string }
  | { kind: 'opaque' }
  | { kind: 'foreign'; origin: string };

export const PAGE_SIZE = 2;

/** The opaque style's token: the index of the page's first tag, so the client cannot guess it. */
function token(start: number): string {
  return Buffer.from(`page-from-${start}`).toString('base64url');
}

function startOf(search: URLSearchParams, tags: readonly string[]): number {
  const nextPage = search.get('next_page');
  if (nextPage !== null) {
    const start = Number(Buffer.from(nextPage, 'base64url').toString().replace('page-from-', ''));
    return Number.isSafeInteger(start) ? start : tags.length;
  }
  const last = search.get('last');
  return last === null ? 0 : tags.filter((tag) => tag <= last).length;
}

function nextTarget(style: NextStyle, path: string, start: number, lastTag: string): string {
  const query = `?n=${PAGE_SIZE}&last=${encodeURIComponent(lastTag)}`;
  switch (style.kind) {
    case 'relative':
      return `${path}${query}`;
    case 'absolute':
    case 'foreign':
      return `${style.origin}${path}${query}`;
    case 'opaque':
      return `${path}?next_page=${token(start)}`;
  }
}

/**
 * An interceptor that answers `GET /v2/<repository>/tags/list` itself, PAGE_SIZE tags a page in
 * lexical order with a Link to the next page in the given style; docker-registry sends no Link
 * unless asked with `n`, so the paging is ours. Other requests go on to the registry.
 */
export function pagedTags(
  repository: string,
  allTags: readonly string[],
  style: NextStyle,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const tags = [...allTags].sort();
  const path = `/v2/${repository}/tags/list`;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    if (req.method !== 'GET' || url.pathname !== path) return false;

    const start = startOf(url.searchParams, tags);
    const page = tags.slice(start, start + PAGE_SIZE);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const end = start + page.length;
    if (end < tags.length) {
      headers['link'] = `<${nextTarget(style, path, end, page[page.length - 1]!)}>; rel="next"`;
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify({ name: repository, tags: page }));
    return true;
  };
}
