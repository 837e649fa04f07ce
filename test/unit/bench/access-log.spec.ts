import { countByKind, parseAccessLine, parseAccessLog } from '../../../bench/access-log';

/** Lines as docker-registry 2.8.2 writes them, its logfmt lines and its access log mixed. */
const LOG = [
  'time="2026-12-03T18:55:31.301628554Z" level=info msg="listening on 127.0.0.1:5999" go.version=go1.19.8',
  '127.0.0.1 - - [03/Dec/2026:18:55:32 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"',
  'time="2026-12-03T18:55:32.314507793Z" level=error msg="response completed with error" http.request.method=HEAD http.request.uri=/v2/foo/manifests/latest http.response.status=404',
  '127.0.0.1 - - [03/Dec/2026:18:55:32 +0000] "HEAD /v2/foo/manifests/latest HTTP/1.1" 404 96 "" "curl/7.88.1"',
  '127.0.0.1 - - [03/Dec/2026:18:55:33 +0000] "GET /v2/a/b/tags/list?n=100&last=t0100 HTTP/1.1" 200 27 "" "container-sync"',
  `127.0.0.1 - - [03/Dec/2026:18:55:33 +0000] "GET /v2/a/b/blobs/sha256:${'ab'.repeat(32)} HTTP/1.1" 200 1093 "" "Go-http-client/1.1"`,
  '127.0.0.1 - - [03/Dec/2026:18:55:34 +0000] "PUT /v2/a/b/manifests/t0001 HTTP/1.1" 201 0 "" "axios/1.21.1"',
  '',
].join('\n');

describe('parseAccessLine', () => {
  it('reads method, path, query, status and kind from a combined-format line', () => {
    const line =
      '127.0.0.1 - - [03/Dec/2026:18:55:33 +0000] "GET /v2/a/b/tags/list?n=100&last=t0100 HTTP/1.1" 200 27 "" "container-sync"';

    const entry = parseAccessLine(line);

    expect(entry).toEqual({
      method: 'GET',
      path: '/v2/a/b/tags/list',
      query: 'n=100&last=t0100',
      status: 200,
      kind: 'tags',
    });
  });

  it('leaves out the registry logfmt lines, even those that describe a request', () => {
    const line =
      'time="2026-12-03T18:55:32.314507793Z" level=error msg="response completed with error" http.request.method=HEAD http.request.uri=/v2/foo/manifests/latest';

    expect(parseAccessLine(line)).toBeUndefined();
  });
});

describe('countByKind', () => {
  it('counts every access line once, by kind, with zeros for the kinds not seen', () => {
    const entries = parseAccessLog(LOG);

    const counts = countByKind(entries);

    expect(entries.map((entry) => entry.status)).toEqual([200, 404, 200, 200, 201]);
    expect(counts).toEqual({
      ping: 1,
      tags: 1,
      manifestHead: 1,
      manifestGet: 0,
      blobHead: 0,
      blobGet: 1,
      other: 1,
    });
  });
});
