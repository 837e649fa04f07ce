import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildRepositorySync } from '../../src/app/build-repository-sync';
import { loadConfig } from '../../src/config/load-config';
import { syncRepository } from '../../src/pipeline/sync-repository';
import { RateLimiters } from '../../src/registry/resilience/rate-limiter';
import { generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

/** A registry's `requests_per_second`, from the config file, paces all its repositories together. */
describe('request rate per registry', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let rig: SyncRig;
  let dir: string;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    rig = await createSyncRig('postgres');
    dir = await mkdtemp(path.join(os.tmpdir(), 'cs-rate-'));
    for (const name of ['paced/one', 'paced/two']) {
      await pushGenerated(registry.url, name, await generateRepository({ tags: 3, seed: name }));
    }
  });

  afterAll(async () => {
    await rig?.close();
    await proxy?.stop();
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps two repositories of one registry, synced at once, under its rate', async () => {
    const file = path.join(dir, 'config.yaml');
    await writeFile(
      file,
      [
        'registries:',
        `  local: { url: "${proxy.url}", requests_per_second: 10, max_retry_wait: 5s }`,
        'repositories:',
        '  - { name: paced/one, upstream: local }',
        '  - { name: paced/two, upstream: local }',
        '',
      ].join('\n'),
    );
    const config = await loadConfig(file, {});
    const rateLimiters = new RateLimiters();
    const log = pino({ level: 'silent' });
    const deps = { catalog: rig.catalog, store: rig.store, log };
    proxy.reset();
    const started = Date.now();

    const summaries = await Promise.all(
      config.repositories.map((repository) =>
        syncRepository(deps, buildRepositorySync(repository, { log, rateLimiters })),
      ),
    );

    const elapsed = Date.now() - started;
    expect(summaries.map((s) => s.result)).toEqual(['success', 'success']);
    expect(config.repositories[0]?.upstream).toMatchObject({
      requestsPerSecond: 10,
      maxRetryWaitMs: 5_000,
    });
    const requests = proxy.requests.length;
    expect(requests).toBeGreaterThanOrEqual(20);
    // A burst of 10 goes at once, the rest at 10 a second, for both repositories together.
    expect(elapsed).toBeGreaterThanOrEqual(((requests - 10) / 10) * 1000 * 0.9);
  });
});
