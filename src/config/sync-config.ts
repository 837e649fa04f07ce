import type { Credentials } from '../registry/basic-auth';

/**
 * The configuration the rest of the program runs on: every path absolute, every default applied,
 * every credential read. Built by `loadConfig` from the YAML file; see config.example.yaml.
 */
export interface SyncConfig {
  /** Absolute path of the file this was loaded from, for logs. */
  file: string;
  /** Absolute; the blob store and the embedded database live here. */
  dataDir: string;
  repositories: RepositoryConfig[];
}

/** `immediate` downloads every blob during a sync; `on_demand` records them for later fetches. */
export type SyncPolicy = 'immediate' | 'on_demand';

export interface RepositoryConfig {
  /** Local repository name. */
  name: string;
  upstream: UpstreamConfig;
  /** Tag globs (picomatch); empty means every tag. Digests are split out into `digests`. */
  include: string[];
  exclude: string[];
  /** Manifests to mirror by digest, whatever tags point at them. */
  digests: string[];
  policy: SyncPolicy;
  /** Remove local tags the upstream no longer lists. */
  mirror: boolean;
  intervalMs: number;
  /** Parallel blob downloads; the pipeline derives tag and child-manifest concurrency from it. */
  concurrency: number;
  batchSize: number;
  signatures: SignaturesConfig;
}

export interface SignaturesConfig {
  /** Base URL of a lookaside signature store. */
  lookaside?: string;
  /** Absolute paths of OpenPGP public keys (simple signing). */
  gpgKeys: string[];
  /** Absolute paths of cosign public keys (PEM). */
  cosignKeys: string[];
  /** Check each signature's docker-reference against the upstream repository. */
  checkReference: boolean;
  signedOnly: boolean;
}

export type UpstreamConfig = RegistryUpstreamConfig | OciLayoutUpstreamConfig;

export interface RegistryUpstreamConfig {
  kind: 'registry';
  /** Scheme and host only, no trailing slash: `https://registry-1.docker.io`. */
  url: string;
  /** Repository name on the upstream, `library/` already added for Docker Hub. */
  repository: string;
  /** Absent means anonymous (a token service may still hand out anonymous pull tokens). */
  credentials?: Credentials;
  tls: TlsConfig;
  /** Requests per second to this registry host, shared by all its repositories. */
  requestsPerSecond?: number;
  /** The longest Retry-After a 429 may ask for (ms) before the request fails instead. */
  maxRetryWaitMs?: number;
}

export interface OciLayoutUpstreamConfig {
  kind: 'oci-layout';
  /** Absolute path of the layout directory (the one holding `index.json`). */
  path: string;
}

export interface TlsConfig {
  /** Skip certificate verification. Meant for test registries with self-signed certificates. */
  insecure: boolean;
  /** Absolute path of a PEM bundle to trust besides Node's default roots. */
  caFile?: string;
  /** Absolute paths of a PEM client certificate and its key; both or neither. */
  clientCert?: string;
  clientKey?: string;
}
