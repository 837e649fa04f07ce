import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { SyncError } from '../errors';

/** Which TLS files a registry connection uses: absolute paths, already checked by config. */
export interface TlsFiles {
  /** Skip certificate verification for this registry. */
  insecure: boolean;
  /** PEM bundle trusted besides the default roots. */
  caFile?: string;
  /** PEM certificate and key presented when the registry asks for a client certificate. */
  clientCert?: string;
  clientKey?: string;
}

/** What the https agent is given; nothing set means Node's defaults, verification on. */
export interface TlsAgentOptions {
  rejectUnauthorized?: boolean;
  ca?: Array<string | Buffer>;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Reads the files a TLS block names. A `ca` given to an agent replaces Node's roots rather than
 * adding to them, so the bundle is appended to `tls.rootCertificates`: a registry behind a
 * private CA then still redirects blob downloads to a public object store. Those are Node's
 * bundled Mozilla roots; certificates added through NODE_EXTRA_CA_CERTS are not in that list
 * and do not apply to this registry once a `ca_file` is set (Node 22's tls.getCACertificates
 * would lift this).
 */
export function readTlsFiles(files: TlsFiles): TlsAgentOptions {
  const options: TlsAgentOptions = {};
  if (files.insecure) options.rejectUnauthorized = false;
  if (files.caFile) options.ca = [...tls.rootCertificates, readTlsFile(files.caFile, 'CA bundle')];
  if (files.clientCert) options.cert = readTlsFile(files.clientCert, 'client certificate');
  if (files.clientKey) options.key = readTlsFile(files.clientKey, 'client key');
  return options;
}

function readTlsFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    const message = `cannot read TLS ${what} ${file} (${reason})`;
    throw new SyncError('CONFIG_INVALID', message, { file }, { cause: err });
  }
}

/** OpenSSL verification results Node reports when the registry's certificate is not trusted. */
const SERVER_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

const CLIENT_REFUSED = /^ERR_SSL_.*ALERT_(CERTIFICATE|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAIL)/;
const UNTRUSTED_SERVER =
  'certificate problem: the registry certificate is not trusted (set tls.ca_file to its CA ' +
  'bundle, or tls.insecure for a test registry)';
const OTHER_HOST = 'certificate problem: the registry certificate does not name this host';
const REFUSED_CLIENT =
  'certificate problem: the registry refused the TLS handshake, likely for want of a client ' +
  'certificate it trusts (set tls.client_cert and tls.client_key)';

/**
 * Says what went wrong when a failed connection was a certificate problem, else undefined.
 * A server refusing our client certificate (or its absence) arrives as a TLS alert, which
 * OpenSSL names `ERR_SSL_..._ALERT_...`.
 */
export function certificateProblem(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  if (SERVER_CERTIFICATE_CODES.has(code)) return UNTRUSTED_SERVER;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return OTHER_HOST;
  if (CLIENT_REFUSED.test(code)) return REFUSED_CLIENT;
  return undefined;
}
