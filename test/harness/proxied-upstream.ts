import type { DatabaseKind } from './database';
import { type CountingProxy, startCountingProxy } from './proxy';
import { type RunningRegistry, startRegistry } from './registry';
import { createSyncRig, type SyncRig } from './sync-rig';

/** A real registry, a counting proxy in front of it that a case may make serve bad answers, and a
 * rig that syncs from the proxy. */
export interface ProxiedUpstream {
  registry: RunningRegistry;
  proxy: CountingProxy;
  rig: SyncRig;
}

/**
 * Starts a ProxiedUpstream before the suite's tests and stops it after them; after each test the
 * proxy stops intercepting. The fields are set once `beforeAll` has run.
 */
export function useProxiedUpstream(kind: DatabaseKind): ProxiedUpstream {
  const up = {} as ProxiedUpstream;

  beforeAll(async () => {
    up.registry = await startRegistry();
    up.proxy = await startCountingProxy(up.registry.url);
    up.rig = await createSyncRig(kind);
  });

  afterAll(async () => {
    await up.rig?.close();
    await up.proxy?.stop();
    await up.registry?.stop();
  });

  afterEach(() => {
    if (up.proxy) up.proxy.intercept = undefined;
  });

  return up;
}
