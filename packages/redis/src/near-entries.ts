import { LRUCache } from 'lru-cache'

/** A cached value kept in this process, and what makes it still Redis' value. */
export interface NearEntry {
  /** The key's generation the value belongs to: any invalidation moves it on, on every replica. */
  generation: string
  bytes: Buffer
}

/**
 * The values of a cache this replica keeps beside Redis: at most `capacity` of them, the least
 * recently used going first, so a client asking for ever new keys cannot grow the process; each
 * for no longer than Redis' copy lives. An entry is only a candidate: the cache answers it after
 * Redis confirmed its generation (see JsonCache).
 */
export class NearEntries {
  readonly #entries: LRUCache<string, NearEntry>

  /** `clock`: what tells the time (tests give their own). */
  constructor(capacity: number, clock: { now(): number } = performance) {
    // ttlResolution 0: the clock read at every get, so an entry never outlives its TTL by a millisecond.
    this.#entries = new LRUCache({ max: capacity, ttlResolution: 0, perf: clock })
  }

  get size(): number {
    return this.#entries.size
  }

  /** The entry for `key` unless it expired. */
  get(key: string): NearEntry | undefined {
    return this.#entries.get(key)
  }

  /** Keeps `bytes` for `ttlMs` (Redis' remaining TTL); a value already expired is not kept. */
  set(key: string, generation: string, bytes: Buffer, ttlMs: number): void {
    const ttl = Math.floor(ttlMs)
    if (ttl <= 0) this.#entries.delete(key)
    else this.#entries.set(key, { generation, bytes }, { ttl })
  }

  delete(key: string): void {
    this.#entries.delete(key)
  }
}
