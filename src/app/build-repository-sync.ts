import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { isDockerHubHost } from '../config/docker-hub';
import { SyncError } from '../errors';
import type { SignatureOptions } from '../signatures/signature-options';
import { repositoryTagFilter } from '../config/tag-filter';
import type { RepositoryConfig } from '../config/sync-config';
import type { PipelineOptions } from '../pipeline/sync-context';
import type { RepositorySync } from '../pipeline/sync-repository';
import { ChallengeAuth } from '../registry/auth/challenge-auth';
import { OciLayoutSource } from '../registry/oci-layout-source';
import { RegistryClient } from '../registry/registry-client';
import type { RateLimiters } from '../registry/resilience/rate-limiter';
import { readTlsFiles } from '../registry/tls-options';
import type { Upstream } from '../registry/upstream';

/** A RepositorySync that owns its upstream's sockets: `close` once the sync is over. */
export interface OwnedRepositorySync extends RepositorySync {
  close(): void;
}

export interface BuildOptions {
  log: Logger;
  /** BATCH_SIZE: replaces the repository's batch_size when set. */
  batchSize?: number;
  /** The process's per-host request rates, shared by every repository of a host. */
  rateLimiters?: RateLimiters;
}

/**
 * Turns one configured repository into what syncRepository runs. A registry whose certificates
 * go unchecked (`tls.insecure`) is logged as a warning here, once per sync.
 */
export function buildRepositorySync(
  config: RepositoryConfig,
  options: BuildOptions,
): OwnedRepositorySync {
  const log = options.log.child({ repository: config.name });
  warnInsecure(config, log);

  const upstream = createUpstream(config, log, options.rateLimiters);
  return {
    name: config.name,
    upstream,
    mirror: config.mirror,
    pipeline: pipelineOptions(config, options.batchSize),
    upstreamRepository:
      config.upstream.kind === 'registry' ? config.upstream.repository : undefined,
    signatures: signatureOptions(config),
    close: () => {
      if (upstream instanceof RegistryClient) upstream.close();
    },
  };
}

function createUpstream(
  config: RepositoryConfig,
  log: Logger,
  rateLimiters?: RateLimiters,
): Upstream {
  const { upstream } = config;
  if (upstream.kind === 'oci-layout') return new OciLayoutSource(upstream.path);
  const rate = upstream.requestsPerSecond;
  rateLimiters?.setLimit(
    upstream.url,
    rate === undefined ? undefined : { requestsPerSecond: rate },
  );
  return new RegistryClient({
    rateLimiters,
    ...(upstream.maxRetryWaitMs !== undefined && {
      retry: { maxRetryAfterMs: upstream.maxRetryWaitMs },
    }),
    registryUrl: upstream.url,
    repository: upstream.repository,
    // The registry's challenge picks Basic or bearer tokens; credentials serve either.
    authenticator: new ChallengeAuth({
      repository: upstream.repository,
      ...(upstream.credentials ? { credentials: upstream.credentials } : {}),
      logger: log,
    }),
    logger: log,
    // One socket per download slot; manifest requests share the same pool.
    maxSockets: config.concurrency,
    // Read at every sync start, like signature keys, so a renewed certificate counts next run.
    tls: readTlsFiles(upstream.tls),
  });
}

/**
 * `concurrency` bounds blob downloads, and through maxSockets every request to the registry.
 * A tag in flight spends most of its time waiting for its content to be saved, not on a
 * socket, so TAGS_PER_SLOT tags per slot keep the sockets busy while others wait on the
 * database; memory is bounded by that many tags' manifests. Children of one list are fewer,
 * and half the slots leaves room for the other tags' manifests.
 */
const TAGS_PER_SLOT = 4;

function pipelineOptions(config: RepositoryConfig, batchSize?: number): PipelineOptions {
  return {
    batchSize: batchSize ?? config.batchSize,
    tagConcurrency: config.concurrency * TAGS_PER_SLOT,
    childConcurrency: Math.max(1, Math.ceil(config.concurrency / 2)),
    downloadConcurrency: config.concurrency,
    tagFilter: repositoryTagFilter(config),
    digests: config.digests,
    policy: config.policy,
  };
}

/** Key files are read when a sync starts, so a key replaced on disk counts from the next run. */
function signatureOptions(config: RepositoryConfig): SignatureOptions {
  const { signatures, upstream } = config;
  const read = (file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new SyncError(
        'CONFIG_INVALID',
        `cannot read signature key ${file}`,
        { file },
        {
          cause: err,
        },
      );
    }
  };
  return {
    lookaside: signatures.lookaside,
    gpgKeys: signatures.gpgKeys.map(read),
    cosignKeys: signatures.cosignKeys.map(read),
    expectedReference:
      signatures.checkReference && upstream.kind === 'registry'
        ? `${referenceHost(upstream.url)}/${upstream.repository}`
        : undefined,
    signedOnly: signatures.signedOnly,
  };
}

/** Signatures name Docker Hub images `docker.io/...`, whatever host serves the API. */
function referenceHost(url: string): string {
  const { host } = new URL(url);
  return isDockerHubHost(host) ? 'docker.io' : host;
}

function warnInsecure(config: RepositoryConfig, log: Logger): void {
  const { upstream } = config;
  if (upstream.kind === 'registry' && upstream.tls.insecure) {
    log.warn({ registry: upstream.url }, 'tls.insecure: registry certificates are not verified');
  }
}
