import type { Platform } from '../test/harness/image-generator';

/** The shape the issue asks for: an OCI index of three platforms per tag. */
export const BENCH_PLATFORMS: Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
];

export const BENCH_SEED = 'container-sync-bench';

/** The upstream repository of one size; one registry per size, so names never collide. */
export function benchRepositoryName(size: number): string {
  return `bench/s${size}`;
}

/** What a filled repository holds, by digest: enough to derive every expected count. */
export interface RepositoryContent {
  /** Tag to the digest of its index. */
  tags: Record<string, string>;
  manifests: string[];
  blobs: string[];
}
