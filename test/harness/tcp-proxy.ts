import { type AddressInfo, createServer, Socket } from 'node:net';

export interface TcpProxy {
  /** Where clients connect (127.0.0.1 and the proxy's own port). */
  host: string;
  port: number;
  /** Connections opened through the proxy so far, cut or not. */
  readonly accepted: number;
  /** Connections forwarded right now. */
  readonly open: number;
  /**
   * Closes every forwarded connection, both sides. `reset` sends a TCP RST (the client sees
   * ECONNRESET) rather than an orderly FIN (the client sees "Connection terminated").
   */
  cut(options?: { reset?: boolean }): void;
  /** New connections are closed as soon as they arrive: a server that is down. */
  refuse(): void;
  /** New connections are forwarded again. */
  accept(): void;
  /**
   * Sees each chunk a client sends before it is forwarded. Calling `cut()`, or `cutThis()` for
   * this one connection, from here drops the chunk with the connection: the server never gets it
   * (a COMMIT that never arrives).
   */
  onClientData?: (chunk: Buffer, cutThis: () => void) => void;
  /** Rewrites `url` (host and port) to go through the proxy. */
  urlThrough(url: string): string;
  stop(): Promise<void>;
}

/**
 * A TCP proxy in front of a server (PostgreSQL) that a test can cut off: every open connection
 * at once, and new ones for as long as it likes. Bytes pass through untouched, so the client
 * talks the real protocol to the real server until the moment the test pulls the plug.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  let accepted = 0;

  const server = createServer((client) => {
    accepted += 1;
    if (refusing) {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // Errors end the pair; the test sees their effect on the client, not here.
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    upstream.connect(target.port, target.host);
    client.on('data', (chunk: Buffer) => {
      proxy.onClientData?.(chunk, close);
      if (!upstream.destroyed) upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const cut = (options: { reset?: boolean } = {}) => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      const [client, upstream] = pair;
      if (options.reset) client.resetAndDestroy();
      else client.destroy();
      upstream.destroy();
    }
  };

  const proxy: TcpProxy = {
    host: '127.0.0.1',
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    cut,
    refuse: () => {
      refusing = true;
    },
    accept: () => {
      refusing = false;
    },
    urlThrough: (url) => {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(port);
      return through.toString();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
