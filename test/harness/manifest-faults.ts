import type { IncomingMessage, ServerResponse } from 'node:http';
import { sha256Digest } from '../../src/content/digest';
import type { Interceptor } from './proxy';

/**
 * Interceptors for the counting proxy that serve manifests the registry refuses to store (not
 * JSON, an unknown media type, bytes that do not match their digest, a body without end), so a
 * sync meets them as it would at a broken registry.
 */

function isManifestRequest(req: IncomingMessage, repo: string, reference: string): boolean {
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    req.url === `/v2/${repo}/manifests/${reference}`
  );
}

/** The first interceptor that answers a request answers it. */
export function firstOf(...interceptors: Interceptor[]): Interceptor {
  return (req, res) => interceptors.some((intercept) => intercept(req, res));
}

/**
 * Serves `bytes` as the manifest of `tag` and of their digest, HEAD and GET, with the digest in
 * `Docker-Content-Digest` as a registry reports it. The tag must exist upstream to be listed.
 */
export function serveManifest(
  repo: string,
  tag: string,
  bytes: Buffer,
  mediaType: string,
): Interceptor {
  const digest = sha256Digest(bytes);
  return (req, res) => {
    if (!isManifestRequest(req, repo, tag) && !isManifestRequest(req, repo, digest)) return false;
    res.writeHead(200, {
      'content-type': mediaType,
      'content-length': String(bytes.length),
      'docker-content-digest': digest,
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
    return true;
  };
}

/** Answers a GET of the manifest `digest` with other bytes, still claiming that digest. */
export function replaceManifestBody(
  repo: string,
  digest: string,
  bytes: Buffer,
  mediaType: string,
): Interceptor {
  return (req, res) => {
    if (req.method !== 'GET' || !isManifestRequest(req, repo, digest)) return false;
    res.writeHead(200, {
      'content-type': mediaType,
      'content-length': String(bytes.length),
      'docker-content-digest': digest,
    });
    res.end(bytes);
    return true;
  };
}

/**
 * Answers a GET of the manifest `digest` with a body that never ends (no Content-Length, chunks
 * of spaces for as long as the client reads), counting what it sent: a client that buffers the
 * whole body never finishes, one that stops at a limit makes `sent()` stay near it.
 */
export function endlessManifestBody(
  repo: string,
  digest: string,
  mediaType: string,
): { intercept: Interceptor; sent(): number } {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const intercept = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || !isManifestRequest(req, repo, digest)) return false;
    res.writeHead(200, { 'content-type': mediaType, 'docker-content-digest': digest });
    res.write('{"schemaVersion": 2,');
    const pump = () => {
      while (!res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
    return true;
  };
  return { intercept, sent: () => sent };
}
