import { PassThrough } from 'node:stream';
import pino from 'pino';
import { syncRepository, type SyncSummary } from '../../../src/pipeline/sync-repository';
import { RegistryClient } from '../../../src/registry/registry-client';
import { LogLines } from '../log-lines';
import type { RigSyncOptions, SyncRig } from '../sync-rig';

/**
 * Runs the same sync as `rig.sync`, on the rig's catalog and store, but with a logger whose
 * JSON lines the test can read: for the events a sync only reports in its log.
 */
export async function syncWithLog(
  rig: SyncRig,
  options: RigSyncOptions & { registryUrl: string },
): Promise<{ summary: SyncSummary; log: LogLines }> {
  const stream = new PassThrough();
  const log = new LogLines(stream);
  const repository = options.repository ?? options.name;
  const summary = await syncRepository(
    { catalog: rig.catalog, store: rig.store, log: pino({ level: 'debug' }, stream) },
    {
      name: options.name,
      upstream: new RegistryClient({ registryUrl: options.registryUrl, repository }),
      upstreamRepository: repository,
      mirror: options.mirror ?? false,
      ...(options.signatures === undefined ? {} : { signatures: options.signatures }),
      pipeline: {
        batchSize: 50,
        tagConcurrency: 4,
        childConcurrency: 4,
        downloadConcurrency: 4,
        tagFilter: () => true,
        ...options.pipeline,
      },
    },
  );
  return { summary, log };
}
