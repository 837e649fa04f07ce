import {
  Agent,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
  createServer,
  request as httpRequest,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { REQUEST_KINDS, RequestKind, classifyRequest } from './request-kind';

export interface RecordedRequest {
  method: string;
  /** The path without its query string. */
  path: string;
  /** The query string with its `?`, or '' when there is none. */
  search: string;
  kind: RequestKind;
  /** Set when the response head is written; 0 until then. */
  status: number;
}

/** Answers a request itself (fault injection) by returning true; false lets it through. */
export type Interceptor = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface CountingProxy {
  url: string;
  /** Every request in arrival order; `reset()` empties this same array. */
  readonly requests: RecordedRequest[];
  counts(): Record<RequestKind, number>;
  reset(): void;
  intercept?: Interceptor;
  /** Milliseconds a request it lets through is held before it is forwarded (a slow registry). */
  delay?: (req: IncomingMessage) => number;
  stop(): Promise<void>;
}

/** Records the status the moment the head goes out, before the client can see the answer. */
function recordStatusOnHead(res: ServerResponse, entry: RecordedRequest): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    const result = writeHead(...args);
    entry.status = res.statusCode;
    return result;
  }) as ServerResponse['writeHead'];
}

/** Headers about one connection (RFC 9110 section 7.6.1): each side of the proxy sets its own. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

function endToEnd<T extends Record<string, unknown>>(headers: T): T {
  const kept = { ...headers };
  for (const name of HOP_BY_HOP) delete kept[name];
  return kept;
}

/** Redirects to the target (upload locations, blob redirects) must come back through us. */
function rewriteLocation(headers: OutgoingHttpHeaders, target: URL, proxyOrigin: string) {
  const location = headers.location;
  if (typeof location === 'string' && location.startsWith(target.origin)) {
    headers.location = proxyOrigin + location.slice(target.origin.length);
  }
}

/**
 * A reverse proxy in front of a registry that counts what a client asks for: the registry
 * itself cannot say how many manifest GETs or blob HEADs a sync made. Bodies stream both ways
 * untouched; only `Host` (to the target's) and redirecting `Location`s are changed.
 */
export async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  const agent = new Agent({ keepAlive: true });
  const requests: RecordedRequest[] = [];
  let origin = '';

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...endToEnd(req.headers), host: target.host },
        agent,
      },
      (answer) => {
        const headers: OutgoingHttpHeaders = endToEnd(answer.headers);
        rewriteLocation(headers, target, origin);
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.on('error', (err) => res.destroy(err));
        answer.pipe(res);
      },
    );
    // A client that gives up (a timeout under test) must not leave the upstream request open.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.on('error', (err) => {
      if (res.headersSent) {
        res.destroy(err);
        return;
      }
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy could not reach ${target.origin}: ${err.message}`);
    });
    req.pipe(upstream);
  };

  const proxy: CountingProxy = {
    url: '',
    requests,
    counts() {
      const counts = Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, 0]));
      for (const entry of requests) counts[entry.kind] = (counts[entry.kind] ?? 0) + 1;
      return counts as Record<RequestKind, number>;
    },
    reset() {
      requests.length = 0;
    },
    stop: () => stopServer(),
  };

  const server = createServer((req, res) => {
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.includes('?') ? rawUrl.indexOf('?') : rawUrl.length;
    const path = rawUrl.slice(0, queryStart);
    const method = req.method ?? 'GET';
    const entry: RecordedRequest = {
      method,
      path,
      search: rawUrl.slice(queryStart),
      kind: classifyRequest(method, path),
      status: 0,
    };
    requests.push(entry);
    recordStatusOnHead(res, entry);

    if (proxy.intercept?.(req, res)) return;
    const delayMs = proxy.delay?.(req) ?? 0;
    if (delayMs > 0) setTimeout(() => forward(req, res), delayMs);
    else forward(req, res);
  });

  const stopServer = () =>
    new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
      agent.destroy();
    });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  proxy.url = origin;
  return proxy;
}
