import { readFile } from 'node:fs/promises';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { resolve, sep } from 'node:path';

export interface ServedRequest {
  method: string;
  /** The decoded path, without the query string. */
  path: string;
  status: number;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** Every request in arrival order; `reset()` empties this same array. */
  readonly requests: ServedRequest[];
  reset(): void;
  stop(): Promise<void>;
}

/** The URL path percent-decoded; left as sent when it does not decode. */
function decodePath(rawUrl: string): string {
  const path = rawUrl.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The file a decoded path names under `root`, or undefined for one that climbs out of it. */
function fileUnder(root: string, path: string): string | undefined {
  const file = resolve(root, `.${path}`);
  return file.startsWith(root + sep) ? file : undefined;
}

async function answer(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  entry: ServedRequest,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    entry.status = 405;
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const file = fileUnder(root, entry.path);
  const body = file === undefined ? undefined : await readFile(file).catch(() => undefined);
  if (body === undefined) {
    entry.status = 404;
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  entry.status = 200;
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': body.length,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Serves a directory read-only over HTTP on a free loopback port, the way a web server
 * publishes a lookaside signature store: a file's bytes with 200, 404 for anything missing
 * (a directory included). Files are read on each request, so a test may change them between
 * syncs. Every request is recorded, so a test can say what a sync fetched.
 */
export async function startStaticServer(dir: string): Promise<StaticServer> {
  const root = resolve(dir);
  const requests: ServedRequest[] = [];
  const server = createServer((req, res) => {
    const entry: ServedRequest = {
      method: req.method ?? 'GET',
      path: decodePath(req.url ?? '/'),
      status: 0,
    };
    requests.push(entry);
    answer(root, req, res, entry).catch((err: unknown) => res.destroy(err as Error));
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reset: () => {
      requests.length = 0;
    },
    stop: () =>
      new Promise<void>((done, fail) => {
        server.close((err) => (err ? fail(err) : done()));
        server.closeAllConnections();
      }),
  };
}
