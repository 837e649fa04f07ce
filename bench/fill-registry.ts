import { pushGenerated } from '../test/harness/push';
import { type GeneratedRepository, generateRepository } from '../test/harness/image-generator';
import { type RunningRegistry, startRegistry } from '../test/harness/registry';
import {
  BENCH_PLATFORMS,
  BENCH_SEED,
  type RepositoryContent,
  benchRepositoryName,
} from './bench-repository';
import {
  cacheDir,
  cacheEntry,
  generatorHash,
  isCached,
  restoreStorage,
  saveStorage,
} from './registry-cache';

/** Pushes in flight while filling: the registry and this process share the machine's cores. */
const PUSH_CONCURRENCY = 8;

export interface FilledRegistry {
  registry: RunningRegistry;
  repository: string;
  content: RepositoryContent;
  fill: {
    source: 'cache' | 'push';
    seconds: number;
    generateSeconds?: number;
    pushSeconds?: number;
  };
}

/**
 * The registry's own application log is turned down to warnings: its info line per request
 * would double what the registry writes while peers run. The access log (one combined-format
 * line per request, which the counts come from) is written at every level.
 */
const REGISTRY_CONFIG = { log: { level: 'warn' } };

export function contentOf(generated: GeneratedRepository): RepositoryContent {
  return {
    tags: { ...generated.tags },
    manifests: [...generated.manifests.keys()],
    blobs: [...generated.blobs.keys()],
  };
}

/**
 * A real docker-registry holding `size` generated tags: restored from the cached storage when
 * there is one for this size and generator, else generated, pushed and cached.
 */
export async function fillRegistry(root: string, size: number): Promise<FilledRegistry> {
  const started = Date.now();
  const repository = benchRepositoryName(size);
  const entry = cacheEntry(cacheDir(root), size, await generatorHash(root, size));
  const registry = await startRegistry({ config: REGISTRY_CONFIG });
  try {
    if (isCached(entry)) {
      const content = await restoreStorage(entry, registry.storageDir);
      const seconds = (Date.now() - started) / 1000;
      return { registry, repository, content, fill: { source: 'cache', seconds } };
    }

    const generated = await generateRepository({
      tags: size,
      platforms: BENCH_PLATFORMS,
      seed: BENCH_SEED,
    });
    const generateSeconds = (Date.now() - started) / 1000;
    await pushGenerated(registry.url, repository, generated, { concurrency: PUSH_CONCURRENCY });
    const pushSeconds = (Date.now() - started) / 1000 - generateSeconds;
    const content = contentOf(generated);
    await saveStorage(entry, registry.storageDir, content);
    const seconds = (Date.now() - started) / 1000;
    return {
      registry,
      repository,
      content,
      fill: { source: 'push', seconds, generateSeconds, pushSeconds },
    };
  } catch (err) {
    await registry.stop();
    throw err;
  }
}
