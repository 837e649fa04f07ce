import { IncomingMessage, OutgoingHttpHeaders, ServerResponse, request } from 'node:http';
import { sha256Digest } from '../../../src/content/digest';
import { MediaType } from '../../../src/content/media-types';
import { CountingProxy, Interceptor } from '../proxy';

/** A descriptor as the referrers API lists it (distribution-spec, "Listing Referrers"). */
export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface RegistryExtensionOptions {
  /** Answer the ping with `X-Registry-Supports-Signatures: 1` and serve the signature API. */
  signatures?: boolean;
  /** Serve `GET /v2/<name>/referrers/<digest>`. */
  referrers?: boolean;
}

export interface RegistryExtensions {
  /** Serves one more signature for a manifest, after those added before it. */
  addSignature(repository: string, digest: string, signature: Buffer): void;
  /** Lists a manifest among the referrers of `subject`. */
  addReferrer(repository: string, subject: string, referrer: ReferrerDescriptor): void;
  /** Paths of the extension requests answered here, in arrival order. */
  readonly answered: { signatures: string[]; referrers: string[] };
  /** Gives the proxy back the interceptor it had before. */
  detach(): void;
}

/** The header OpenShift's registry sets on `/v2/` when it serves the signature extension. */
export const SUPPORTS_SIGNATURES = 'X-Registry-Supports-Signatures';

const DIGEST = 'sha256:[a-f0-9]{64}';
/** docs/signature-protocols.md of containers/image: the "registry extension" read side. */
const SIGNATURES_ROUTE = new RegExp(`^/extensions/v2/(.+)/signatures/(${DIGEST})$`);
const REFERRERS_ROUTE = new RegExp(`^/v2/(.+)/referrers/(${DIGEST})$`);

const key = (repository: string, digest: string) => `${repository}@${digest}`;
const hexOf = (digest: string) => digest.slice(digest.indexOf(':') + 1);

function sendJson(res: ServerResponse, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { 'content-length': bytes.length, ...headers });
  res.end(bytes);
}

/**
 * The signature extension's answer: every stored signature as a version 2 "atomic" entry whose
 * `content` is the signature file in base64. OpenShift names each `<digest>@<32 hex>` with a
 * random suffix; here the suffix is the start of the signature's own sha256, so it is stable.
 */
function signatureList(digest: string, signatures: readonly Buffer[]) {
  return {
    signatures: signatures.map((signature) => ({
      version: 2,
      type: 'atomic',
      name: `${digest}@${hexOf(sha256Digest(signature)).slice(0, 32)}`,
      content: signature.toString('base64'),
    })),
  };
}

/**
 * The referrers answer (distribution-spec, "Listing Referrers"): an OCI index of descriptors,
 * empty when nothing refers to the subject. An `artifactType` query filters the list and is
 * then announced in `OCI-Filters-Applied`, as the spec asks of a registry that filters.
 */
function referrersIndex(url: URL, referrers: readonly ReferrerDescriptor[]) {
  const wanted = url.searchParams.get('artifactType');
  const manifests =
    wanted === null ? referrers : referrers.filter((r) => r.artifactType === wanted);
  const headers: OutgoingHttpHeaders = { 'content-type': MediaType.ociIndex };
  if (wanted !== null) headers['oci-filters-applied'] = 'artifactType';
  return { body: { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }, headers };
}

/** Forwards the ping to the real registry and adds the extension header to its answer. */
function answerPing(registryUrl: URL, req: IncomingMessage, res: ServerResponse): void {
  const upstream = request(
    {
      host: registryUrl.hostname,
      port: registryUrl.port,
      method: req.method,
      path: req.url,
      headers: { authorization: req.headers.authorization ?? '', host: registryUrl.host },
    },
    (answer) => {
      const headers: OutgoingHttpHeaders = { ...answer.headers, [SUPPORTS_SIGNATURES]: '1' };
      delete headers['transfer-encoding'];
      delete headers['connection'];
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => res.destroy(err));
  upstream.end();
}

/**
 * Adds what docker-registry 2.8.2 lacks to a counting proxy in front of it: the registry
 * signature extension (the ping header and `GET /extensions/v2/<name>/signatures/<digest>`) and
 * the OCI referrers API, both answered from in-memory maps the test fills. Everything else
 * passes to the interceptor the proxy had before, then to the registry. Requests are still
 * recorded by the proxy (their kind is `ping` or `other`).
 */
export function attachRegistryExtensions(
  proxy: CountingProxy,
  registryUrl: string,
  options: RegistryExtensionOptions,
): RegistryExtensions {
  const target = new URL(registryUrl);
  const signatures = new Map<string, Buffer[]>();
  const referrers = new Map<string, ReferrerDescriptor[]>();
  const answered = { signatures: [] as string[], referrers: [] as string[] };
  const previous = proxy.intercept;

  const intercept: Interceptor = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    if (isRead && options.signatures && (url.pathname === '/v2/' || url.pathname === '/v2')) {
      answerPing(target, req, res);
      return true;
    }
    const signed = options.signatures && isRead ? SIGNATURES_ROUTE.exec(url.pathname) : null;
    if (signed) {
      const [, repository = '', digest = ''] = signed;
      answered.signatures.push(url.pathname);
      sendJson(res, signatureList(digest, signatures.get(key(repository, digest)) ?? []), {
        'content-type': 'application/json',
      });
      return true;
    }
    const referred = options.referrers && isRead ? REFERRERS_ROUTE.exec(url.pathname) : null;
    if (referred) {
      const [, repository = '', digest = ''] = referred;
      answered.referrers.push(url.pathname);
      const { body, headers } = referrersIndex(url, referrers.get(key(repository, digest)) ?? []);
      sendJson(res, body, headers);
      return true;
    }
    return previous?.(req, res) ?? false;
  };
  proxy.intercept = intercept;

  const append = <T>(map: Map<string, T[]>, at: string, value: T) =>
    map.set(at, [...(map.get(at) ?? []), value]);
  return {
    addSignature: (repository, digest, signature) =>
      append(signatures, key(repository, digest), signature),
    addReferrer: (repository, subject, referrer) =>
      append(referrers, key(repository, subject), referrer),
    answered,
    detach: () => {
      if (proxy.intercept === intercept) proxy.intercept = previous;
    },
  };
}

/**
 * The descriptor a referrers list gives a manifest: its media type, digest and size, its
 * `artifactType` (or, lacking one, its config's media type, as the spec says) and annotations.
 */
export function referrerDescriptor(bytes: Buffer): ReferrerDescriptor {
  const manifest = JSON.parse(bytes.toString('utf8')) as {
    mediaType?: string;
    artifactType?: string;
    config?: { mediaType?: string };
    annotations?: Record<string, string>;
  };
  const artifactType = manifest.artifactType ?? manifest.config?.mediaType;
  return {
    mediaType: manifest.mediaType ?? MediaType.ociManifest,
    digest: sha256Digest(bytes),
    size: bytes.length,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(manifest.annotations === undefined ? {} : { annotations: manifest.annotations }),
  };
}
