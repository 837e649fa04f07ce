import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Headers about one connection or a body encoding that fetch has already undone. */
const NOT_RELAYED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding']);

/** What a relayed answer may change before it goes back to the client. */
export type AlterHeaders = (headers: OutgoingHttpHeaders) => void;

/** What a relayed GET body becomes; `Content-Length` follows it (a HEAD's is `alter`'s to set). */
export type AlterBody = (body: Buffer) => Buffer;

/**
 * Asks the registry itself the same question (method, path and `Accept`), then answers the
 * client with the registry's status, with headers passed through `alter` and with the body
 * passed through `alterBody`. Lets a proxy interceptor play a registry that words its answers
 * differently.
 */
export function relayAltered(
  registryUrl: string,
  req: IncomingMessage,
  res: ServerResponse,
  alter: AlterHeaders,
  alterBody: AlterBody = (body) => body,
): void {
  const accept = req.headers.accept;
  const asked = fetch(`${registryUrl}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers: accept === undefined ? {} : { accept },
  });
  asked
    .then(async (answer) => {
      const received = Buffer.from(await answer.arrayBuffer());
      const body = req.method === 'HEAD' ? received : alterBody(received);
      const headers: OutgoingHttpHeaders = {};
      answer.headers.forEach((value, name) => {
        if (!NOT_RELAYED.has(name)) headers[name] = value;
      });
      if (req.method !== 'HEAD') headers['content-length'] = String(body.length);
      alter(headers);
      res.writeHead(answer.status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    })
    .catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err))));
}
