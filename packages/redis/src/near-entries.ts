/** A cached value kept in this process, and what makes it still Redis' value. */
export interface NearEntry {
  /** The key's generation the value belongs to: any invalidation moves it on, on every replica. */
  generation: string
  bytes: Buffer
  /** When Redis' copy expires (on `now`'s clock): the entry never outlives it. */
  expiresAt: number
}

/**
 * The values of a cache this replica keeps beside Redis: at most `capacity` of them, the oldest
 * stored going first, so a client asking for ever new keys cannot grow the process. An entry is
 * only a candidate: the cache answers it after Redis confirmed its generation (see JsonCache).
 */
export class NearEntries {
  readonly #entries = new Map<string, NearEntry>()
  readonly #capacity: number
  readonly #now: () => number

  constructor(capacity: number, now: () => number = () => performance.now()) {
    this.#capacity = capacity
    this.#now = now
  }

  get size(): number {
    return this.#entries.size
  }

  /** The entry for `key` unless it expired. */
  get(key: string): NearEntry | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined || entry.expiresAt > this.#now()) return entry
    this.#entries.delete(key)
    return undefined
  }

  /** Keeps `bytes` for `ttlMs` (Redis' remaining TTL); a value already expired is not kept. */
  set(key: string, generation: string, bytes: Buffer, ttlMs: number): void {
    this.#entries.delete(key)
    if (ttlMs <= 0) return
    this.#entries.set(key, { generation, bytes, expiresAt: this.#now() + ttlMs })
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
  }

  delete(key: string): void {
    this.#entries.delete(key)
  }
}
