import { Semaphore } from 'async-mutex';
import type { Logger } from 'pino';
import type { RepositoryConfig } from '../config/sync-config';

/** Runs one repository's sync; `signal` aborts it between batches. */
export type RunSync = (repository: RepositoryConfig, signal: AbortSignal) => Promise<unknown>;

interface Slot {
  config: RepositoryConfig;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

/**
 * Syncs each repository at its interval, counted from the end of its previous run. At most
 * `maxConcurrent` repositories sync at once; one repository never twice at once (a run that
 * comes due while the last one is still going is skipped, and logged). `stop()` starts no new
 * run, aborts the running ones (their current batch commits) and waits for them.
 */
export class Scheduler {
  private readonly slots = new Map<string, Slot>();
  private readonly semaphore: Semaphore;
  private readonly abort = new AbortController();

  constructor(
    private readonly runSync: RunSync,
    private readonly log: Logger,
    maxConcurrent = 2,
  ) {
    this.semaphore = new Semaphore(maxConcurrent);
  }

  /** Replaces the schedule: new repositories run now, removed ones stop being scheduled. */
  setRepositories(repositories: readonly RepositoryConfig[]): void {
    const names = new Set(repositories.map((r) => r.name));
    for (const [name, slot] of this.slots) {
      if (names.has(name)) continue;
      clearTimeout(slot.timer);
      this.slots.delete(name);
      this.log.info({ repository: name }, 'repository no longer scheduled');
    }
    for (const config of repositories) {
      const slot = this.slots.get(config.name);
      if (slot) {
        // The new settings apply from the next run; the interval restarts now.
        slot.config = config;
        if (!slot.running) this.schedule(slot, config.intervalMs);
        continue;
      }
      const fresh: Slot = { config };
      this.slots.set(config.name, fresh);
      this.schedule(fresh, 0);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    await Promise.all([...this.slots.values()].map((slot) => slot.running));
  }

  private schedule(slot: Slot, delayMs: number): void {
    clearTimeout(slot.timer);
    if (this.abort.signal.aborted) return;
    slot.timer = setTimeout(() => this.due(slot), delayMs);
  }

  private due(slot: Slot): void {
    const repository = slot.config.name;
    if (slot.running) {
      this.log.warn({ repository }, 'sync due while the last one still runs; skipped');
      return;
    }
    slot.running = this.semaphore
      .runExclusive(async () => {
        if (this.abort.signal.aborted || this.slots.get(repository) !== slot) return;
        await this.runSync(slot.config, this.abort.signal);
      })
      .catch((err: unknown) => this.log.error({ repository, err }, 'scheduled sync failed'))
      .finally(() => {
        slot.running = undefined;
        if (this.slots.get(repository) === slot) this.schedule(slot, slot.config.intervalMs);
      });
  }
}
