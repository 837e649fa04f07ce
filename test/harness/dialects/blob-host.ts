import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A second loopback origin that serves blobs at `/blob/<digest>`, as object storage would. */
export interface BlobHost {
  origin: string;
  /** The headers of every request it was sent, in arrival order. */
  readonly seen: IncomingHttpHeaders[];
  stop(): Promise<void>;
}

/** `host` may be another loopback address (127.0.0.2) to stand for a different machine. */
export async function startBlobHost(
  blobs: ReadonlyMap<string, Buffer>,
  host = '127.0.0.1',
): Promise<BlobHost> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const bytes = blobs.get((req.url ?? '').replace(/^\/blob\//, ''));
    if (bytes === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
