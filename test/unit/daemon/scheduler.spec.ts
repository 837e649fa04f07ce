import pino from 'pino';
import type { RepositoryConfig } from '../../../src/config/sync-config';
import { Scheduler } from '../../../src/daemon/scheduler';

function repo(name: string, intervalMs: number): RepositoryConfig {
  return {
    name,
    upstream: { kind: 'oci-layout', path: `/layouts/${name}` },
    include: [],
    exclude: [],
    digests: [],
    policy: 'immediate',
    mirror: false,
    intervalMs,
    concurrency: 1,
    batchSize: 10,
    signatures: { gpgKeys: [], cosignKeys: [], checkReference: false, signedOnly: false },
  };
}

/** A sync that records when it ran and finishes when the test says so. */
function controlledSyncs() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  let running = 0;
  let maxRunning = 0;
  const runSync = (config: RepositoryConfig) => {
    started.push(config.name);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    return new Promise<void>((resolve) =>
      finish.set(config.name, () => {
        running -= 1;
        resolve();
      }),
    );
  };
  return { runSync, started, finish, maxRunning: () => maxRunning };
}

const flush = () => new Promise((resolve) => jest.requireActual('timers').setImmediate(resolve));

describe('Scheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs at most two repositories at once and each again after its interval', async () => {
    const syncs = controlledSyncs();
    const scheduler = new Scheduler(syncs.runSync, pino({ level: 'silent' }), 2);

    scheduler.setRepositories([repo('a', 1000), repo('b', 1000), repo('c', 1000)]);
    await jest.advanceTimersByTimeAsync(0);
    await flush();

    expect(syncs.started).toEqual(['a', 'b']);
    syncs.finish.get('a')!();
    await flush();
    await flush();
    expect(syncs.started).toEqual(['a', 'b', 'c']);
    await jest.advanceTimersByTimeAsync(999);
    expect(syncs.started).toEqual(['a', 'b', 'c']);
    syncs.finish.get('b')!();
    await jest.advanceTimersByTimeAsync(1);
    await flush();
    expect(syncs.maxRunning()).toBe(2);
    expect(syncs.started.slice(3)).toEqual(['a']);
  });

  it('never runs one repository twice at once', async () => {
    const syncs = controlledSyncs();
    const scheduler = new Scheduler(syncs.runSync, pino({ level: 'silent' }), 2);
    scheduler.setRepositories([repo('a', 10)]);
    await jest.advanceTimersByTimeAsync(0);

    scheduler.setRepositories([repo('a', 10)]);
    await jest.advanceTimersByTimeAsync(100);

    expect(syncs.started).toEqual(['a']);
  });

  it('stop aborts the running sync and waits for it', async () => {
    let signal: AbortSignal | undefined;
    let finished = false;
    const scheduler = new Scheduler(
      async (_config, s) => {
        signal = s;
        await new Promise<void>((resolve) => s.addEventListener('abort', () => resolve()));
        finished = true;
      },
      pino({ level: 'silent' }),
    );
    scheduler.setRepositories([repo('a', 10)]);
    await jest.advanceTimersByTimeAsync(0);

    await scheduler.stop();

    expect(signal?.aborted).toBe(true);
    expect(finished).toBe(true);
  });
});
