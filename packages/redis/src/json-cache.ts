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

/** What a cache asks Redis: the `operation` label of `cache_errors_total`. */
const CACHE_OPERATIONS = ['get', 'set', 'invalidate'] as const
type CacheOperation = (typeof CACHE_OPERATIONS)[number]

export interface CacheInstruments {
  lookups: Counter<'cache' | 'result'>
  errors: Counter<'cache' | 'operation'>
}

/**
 * Stores the value only if the key's generation is still the one read before loading: a reader
 * that loaded from the database before a write must not put its stale value back after the
 * writer invalidated the key.
 */
const SET_IF_GENERATION = `
if (redis.call('GET', KEYS[2]) or '0') == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return nil`

const generationKey = (key: string) => `${key}:generation`

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
    // Each series exists from the start at 0, so a dashboard's rate() shows "no failures" rather
    // than no data until the first one.
    for (const operation of CACHE_OPERATIONS) instruments.errors.inc({ cache: options.name, operation }, 0)
  }

  /** Returns the cached value, or loads it and caches it; `undefined` from the loader is not cached. */
  getOrLoad<T>(key: string, load: () => Promise<T | undefined>): Promise<CacheResult<T> | undefined> {
    return this.#readThrough(
      key,
      load,
      (bytes) => JSON.parse(bytes.toString()) as T,
      (value) => value,
    )
  }

  /**
   * As getOrLoad, but answers the value as its JSON bytes: a hit is Redis' bytes as they are,
   * sent on without being parsed, serialised and encoded again (most of a cached read's cost).
   */
  getOrLoadJson(key: string, load: () => Promise<unknown>): Promise<CacheResult<Buffer> | undefined> {
    return this.#readThrough(
      key,
      load,
      (bytes) => bytes,
      (_value, json) => Buffer.from(json),
    )
  }

  /**
   * The read-through both answer with: a hit decoded from Redis' bytes; on a miss, the loaded
   * value stored as JSON under the generation read before loading, and answered from `answer`.
   */
  async #readThrough<T, R>(
    key: string,
    load: () => Promise<T | undefined>,
    decode: (bytes: Buffer) => R,
    answer: (value: T, json: string) => R,
  ): Promise<CacheResult<R> | undefined> {
    const cached = await this.#lookup(key, decode)
    if (cached.value !== undefined) return { value: cached.value, source: 'HIT' }
    const value = await load()
    if (value === undefined) return undefined
    const json = JSON.stringify(value)
    if (cached.generation !== undefined) await this.#setIfGeneration(key, cached.generation, json)
    return { value: answer(value, json), source: 'MISS' }
  }

  /**
   * Drops keys after a write and moves their generation on, so a load already in flight cannot
   * store what it read before the write. A failure is logged; the TTL bounds how long a stale
   * value can live.
   */
  async invalidate(...keys: string[]): Promise<void> {
    if (keys.length === 0) return
    try {
      const pipeline = this.#redis.multi()
      for (const key of keys) pipeline.incr(generationKey(key)).expire(generationKey(key), 86_400).del(key)
      await pipeline.exec()
    } catch (error) {
      this.#fail('invalidate', error)
    }
  }

  /** The cached value, read with `decode`; on a miss, the generation the loaded value may be stored under. */
  async #lookup<T>(key: string, decode: (value: Buffer) => T): Promise<{ value?: T; generation?: string }> {
    try {
      const [value, generation] = await this.#redis.mgetBuffer(key, generationKey(key))
      this.#instruments.lookups.inc({ cache: this.#options.name, result: value ? 'hit' : 'miss' })
      return value ? { value: decode(value) } : { generation: generation?.toString() ?? '0' }
    } catch (error) {
      this.#instruments.lookups.inc({ cache: this.#options.name, result: 'error' })
      this.#fail('get', error)
      return {}
    }
  }

  async #setIfGeneration(key: string, generation: string, json: string): Promise<void> {
    try {
      await this.#redis.eval(SET_IF_GENERATION, 2, key, generationKey(key), generation, json, this.#options.ttlSeconds)
    } catch (error) {
      this.#fail('set', error)
    }
  }

  #fail(operation: CacheOperation, error: unknown): void {
    this.#instruments.errors.inc({ cache: this.#options.name, operation })
    this.#log.warn({ cache: this.#options.name, operation, err: error }, 'cache unavailable, using the database')
  }
}
