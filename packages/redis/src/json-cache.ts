import type { MetricsRegistry } from '@food/metrics'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import { Counter } from 'prom-client'
import { NearEntries } from './near-entries.ts'

export interface CacheResult<T> {
  value: T
  /** `HIT` when Redis answered with the value; `MISS` when it was loaded (also when Redis failed). */
  source: 'HIT' | 'MISS'
}

export interface JsonCacheOptions {
  /** Kind of thing cached (e.g. `menu`); a metric label, so never an id. */
  name: string
  ttlSeconds: number
  /**
   * How many values `getOrLoadJson` may keep in this process beside Redis (0 or absent: none). A
   * kept value is answered only after Redis confirmed its generation, so it is never staler than
   * Redis' own copy; it saves carrying the value from Redis on every read.
   */
  nearEntries?: number
}

/** What a cache asks Redis: the `operation` label of `cache_errors_total`. */
const CACHE_OPERATIONS = ['get', 'set', 'invalidate'] as const
type CacheOperation = (typeof CACHE_OPERATIONS)[number]

export interface CacheInstruments {
  lookups: Counter<'cache' | 'result'>
  errors: Counter<'cache' | 'operation'>
}

/** The caches' counters, registered in `registry`: one set for every cache of a service. */
export const createCacheInstruments = (registry: MetricsRegistry): CacheInstruments => ({
  lookups: new Counter({
    name: 'cache_lookups_total',
    help: 'Cache lookups by cache and result (hit, miss, error)',
    labelNames: ['cache', 'result'] as const,
    registers: [registry],
  }),
  errors: new Counter({
    name: 'cache_errors_total',
    help: 'Cache operations that failed and fell back to the source, by cache and operation',
    labelNames: ['cache', 'operation'] as const,
    registers: [registry],
  }),
})

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

/** A missing key's loaded value, and until when (on performance.now()'s clock) Redis holds it. */
interface Loaded<T> {
  value: T
  json: string
  /** Unset when it was not stored: Redis failed, or an invalidation moved the generation on meanwhile. */
  storedUntil: number | undefined
}

/** The answer of `getOrLoadJson` for a loaded value: the JSON it was stored as. */
const jsonBytes = (_value: unknown, json: string) => Buffer.from(json)

/**
 * Read-through JSON cache. Redis is an optimisation here, never a dependency: when it is down
 * or slow, reads fall through to the loader, and the failure is logged and counted.
 */
export class JsonCache {
  readonly #redis: Redis
  readonly #options: JsonCacheOptions
  readonly #instruments: CacheInstruments
  readonly #log: FastifyBaseLogger
  readonly #near: NearEntries | undefined
  /** The loads of missing keys in flight, by generation and key (see #loadOnce). */
  readonly #loading = new Map<string, Promise<Loaded<unknown> | undefined>>()

  constructor(redis: Redis, options: JsonCacheOptions, instruments: CacheInstruments, log: FastifyBaseLogger) {
    this.#redis = redis
    this.#options = options
    this.#instruments = instruments
    this.#log = log
    this.#near = options.nearEntries ? new NearEntries(options.nearEntries) : undefined
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
   * With near entries, a value this process holds is answered after one small read of its
   * generation instead of carrying the whole value from Redis again.
   */
  async getOrLoadJson(key: string, load: () => Promise<unknown>): Promise<CacheResult<Buffer> | undefined> {
    const near = this.#near
    const kept = near?.get(key)
    if (kept !== undefined) {
      const generation = await this.#generation(key)
      if (generation === undefined) return this.#loadAround(load, jsonBytes)
      if (generation === kept.generation) {
        this.#count('hit')
        return { value: kept.bytes, source: 'HIT' }
      }
    }
    return this.#readThrough(
      key,
      load,
      (bytes) => bytes,
      jsonBytes,
      // A copy: Redis' bytes may be a slice of a 64 KB socket read, which keeping would retain.
      near && ((bytes, generation, ttlMs) => near.set(key, generation, Buffer.from(bytes), ttlMs)),
    )
  }

  /**
   * The read-through both answer with: a hit decoded from Redis' bytes; on a miss, the loaded
   * value stored as JSON under the generation read before loading, and answered from `answer`.
   * `keep` receives what Redis holds (or now holds) under which generation, for how long.
   */
  async #readThrough<T, R>(
    key: string,
    load: () => Promise<T | undefined>,
    decode: (bytes: Buffer) => R,
    answer: (value: T, json: string) => R,
    keep?: (value: R, generation: string, ttlMs: number) => void,
  ): Promise<CacheResult<R> | undefined> {
    const cached = await this.#lookup(key, keep !== undefined)
    if (cached === undefined) return this.#loadAround(load, answer)
    if (cached.bytes !== null) {
      const value = decode(cached.bytes)
      keep?.(value, cached.generation, cached.ttlMs)
      return { value, source: 'HIT' }
    }
    const loaded = await this.#loadOnce(key, cached.generation, load)
    if (loaded === undefined) return undefined
    const answered = answer(loaded.value, loaded.json)
    if (loaded.storedUntil !== undefined) keep?.(answered, cached.generation, loaded.storedUntil - performance.now())
    return { value: answered, source: 'MISS' }
  }

  /**
   * Loads a missing key and stores it under `generation`, once for all the misses of that key at
   * that generation in flight together: a hot key that expires, or a burst of first reads, costs
   * the database one load, not one per request. A miss after an invalidation reads a newer
   * generation and loads anew, never joining a load that may have read before the write.
   * (async-cache-dedupe does not fit: it keys calls by their arguments to one function defined
   * up front, and would hold values beside Redis' generations; what is needed is this map.)
   */
  #loadOnce<T>(key: string, generation: string, load: () => Promise<T | undefined>): Promise<Loaded<T> | undefined> {
    const flight = `${generation}:${key}`
    const running = this.#loading.get(flight) as Promise<Loaded<T> | undefined> | undefined
    if (running !== undefined) return running
    const loading = (async (): Promise<Loaded<T> | undefined> => {
      const value = await load()
      if (value === undefined) return undefined
      const json = JSON.stringify(value)
      // Redis' TTL starts somewhere in the round trip that stores it: counted from before it.
      const storing = performance.now()
      const stored = await this.#setIfGeneration(key, generation, json)
      return { value, json, storedUntil: stored ? storing + this.#options.ttlSeconds * 1000 : undefined }
    })().finally(() => this.#loading.delete(flight))
    this.#loading.set(flight, loading)
    return loading
  }

  /** Loads without Redis, which just failed (counted and logged already). */
  async #loadAround<T, R>(
    load: () => Promise<T | undefined>,
    answer: (value: T, json: string) => R,
  ): Promise<CacheResult<R> | undefined> {
    const value = await load()
    return value === undefined ? undefined : { value: answer(value, JSON.stringify(value)), source: 'MISS' }
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
      for (const key of keys) {
        this.#near?.delete(key)
        pipeline.incr(generationKey(key)).expire(generationKey(key), 86_400).del(key)
      }
      await pipeline.exec()
    } catch (error) {
      this.#fail('invalidate', error)
    }
  }

  /**
   * What Redis holds under `key` and the key's generation (under which a loaded value may be
   * stored on a miss), with the value's remaining TTL when `withTtl`, less the round trip that
   * told it; `undefined` if Redis failed.
   */
  async #lookup(
    key: string,
    withTtl: boolean,
  ): Promise<{ bytes: Buffer | null; generation: string; ttlMs: number } | undefined> {
    try {
      const asked = performance.now()
      // Auto-pipelined: one write, one round trip for both.
      const [[bytes, generation], ttlMs] = await Promise.all([
        this.#redis.mgetBuffer(key, generationKey(key)),
        withTtl ? this.#redis.pttl(key) : 0,
      ])
      this.#count(bytes ? 'hit' : 'miss')
      const roundTrip = performance.now() - asked
      return { bytes: bytes ?? null, generation: generation?.toString() ?? '0', ttlMs: ttlMs - roundTrip }
    } catch (error) {
      this.#count('error')
      this.#fail('get', error)
      return undefined
    }
  }

  /** The key's generation as Redis has it now; `undefined` if Redis failed. */
  async #generation(key: string): Promise<string | undefined> {
    try {
      return (await this.#redis.get(generationKey(key))) ?? '0'
    } catch (error) {
      this.#count('error')
      this.#fail('get', error)
      return undefined
    }
  }

  /** Whether the value was stored: not when an invalidation moved the generation on meanwhile. */
  async #setIfGeneration(key: string, generation: string, json: string): Promise<boolean> {
    try {
      const stored = await this.#redis.eval(
        SET_IF_GENERATION,
        2,
        key,
        generationKey(key),
        generation,
        json,
        this.#options.ttlSeconds,
      )
      return stored === 'OK'
    } catch (error) {
      this.#fail('set', error)
      return false
    }
  }

  #count(result: 'hit' | 'miss' | 'error'): void {
    this.#instruments.lookups.inc({ cache: this.#options.name, result })
  }

  #fail(operation: CacheOperation, error: unknown): void {
    this.#instruments.errors.inc({ cache: this.#options.name, operation })
    this.#log.warn({ cache: this.#options.name, operation, err: error }, 'cache unavailable, using the database')
  }
}
