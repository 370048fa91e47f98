import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { Counter } from 'prom-client'

export interface CacheResult<T> {
  value: T
  /** `HIT` when Redis answered with the value; `MISS` when it was loaded (also when Redis failed). */
  source: 'HIT' | 'MISS'
}

export interface JsonCacheOptions {
  /** Kind of thing cached (e.g. `menu`); a metric label, so never an id. */
  name: string
  ttlSeconds: number
}

export interface CacheInstruments {
  lookups: Counter<'cache' | 'result'>
  errors: Counter<'cache' | 'operation'>
}

/**
 * Read-through JSON cache. Redis is an optimisation here, never a dependency: when it is down
 * or slow, reads fall through to the loader, and the failure is logged and counted.
 */
export class JsonCache {
  readonly #redis: Redis
  readonly #options: JsonCacheOptions
  readonly #instruments: CacheInstruments
  readonly #log: FastifyBaseLogger

  constructor(redis: Redis, options: JsonCacheOptions, instruments: CacheInstruments, log: FastifyBaseLogger) {
    this.#redis = redis
    this.#options = options
    this.#instruments = instruments
    this.#log = log
  }

  /** Returns the cached value, or loads it and caches it; `undefined` from the loader is not cached. */
  async getOrLoad<T>(key: string, load: () => Promise<T | undefined>): Promise<CacheResult<T> | undefined> {
    const cached = await this.#get<T>(key)
    if (cached !== undefined) return { value: cached, source: 'HIT' }
    const value = await load()
    if (value === undefined) return undefined
    await this.#set(key, value)
    return { value, source: 'MISS' }
  }

  /** Drops keys after a write; a failure is logged, and the TTL bounds how long a stale value lives. */
  async invalidate(...keys: string[]): Promise<void> {
    if (keys.length === 0) return
    try {
      await this.#redis.del(...keys)
    } catch (error) {
      this.#fail('invalidate', error)
    }
  }

  async #get<T>(key: string): Promise<T | undefined> {
    try {
      const raw = await this.#redis.get(key)
      this.#instruments.lookups.inc({ cache: this.#options.name, result: raw === null ? 'miss' : 'hit' })
      return raw === null ? undefined : (JSON.parse(raw) as T)
    } catch (error) {
      this.#instruments.lookups.inc({ cache: this.#options.name, result: 'error' })
      this.#fail('get', error)
      return undefined
    }
  }

  async #set(key: string, value: unknown): Promise<void> {
    try {
      await this.#redis.set(key, JSON.stringify(value), 'EX', this.#options.ttlSeconds)
    } catch (error) {
      this.#fail('set', error)
    }
  }

  #fail(operation: string, error: unknown): void {
    this.#instruments.errors.inc({ cache: this.#options.name, operation })
    this.#log.warn({ cache: this.#options.name, operation, err: error }, 'cache unavailable, using the database')
  }
}
