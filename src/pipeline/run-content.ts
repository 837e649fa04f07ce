import type { AnyDc } from './declarative-content';

/**
 * The DCs of one run by digest, so content shared by tags is fetched and saved once: every DC
 * still in flight, and the `settledCap` most recently used settled ones.
 *
 * Keeping every settled DC would make memory grow with the repository. One that was let go is
 * no loss: a manifest is then found in the catalog, a blob in the store and, when its row is
 * put again, by its key. Content that many tags share is used again and again, so it stays.
 */
export class RunContent<T extends AnyDc> {
  readonly #entries = new Map<string, T>();

  constructor(readonly settledCap: number) {}

  get(digest: string): T | undefined {
    const dc = this.#entries.get(digest);
    if (dc?.isSettled) {
      // Most recently used last: the oldest settled entries go first.
      this.#entries.delete(digest);
      this.#entries.set(digest, dc);
    }
    return dc;
  }

  set(digest: string, dc: T): void {
    this.#entries.delete(digest);
    this.#entries.set(digest, dc);
    this.#evict();
  }

  get size(): number {
    return this.#entries.size;
  }

  #evict(): void {
    let excess = this.#entries.size - this.settledCap;
    if (excess <= 0) return;
    for (const [digest, dc] of this.#entries) {
      if (excess <= 0) break;
      if (!dc.isSettled) continue;
      this.#entries.delete(digest);
      excess -= 1;
    }
  }
}
