import { startTestInfrastructure, uniqueRedisPrefix } from '@food/testing'
import { Redis } from 'ioredis'
import pino from 'pino'
import { Counter, Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JsonCache } from '../src/json-cache.ts'

let redis: Redis
let stop: () => Promise<void>
const registry = new Registry()
const instruments = {
  lookups: new Counter({ name: 'lookups', help: 'h', labelNames: ['cache', 'result'] as const, registers: [registry] }),
  errors: new Counter({
    name: 'errors',
    help: 'h',
    labelNames: ['cache', 'operation'] as const,
    registers: [registry],
  }),
}
const log = pino({ level: 'silent' })

beforeAll(async () => {
  const infrastructure = await startTestInfrastructure()
  stop = infrastructure.stop
  redis = new Redis(infrastructure.redisUrl, { keyPrefix: uniqueRedisPrefix('cache') })
})
afterAll(async () => {
  redis.disconnect()
  await stop()
})

const cache = (client: Redis = redis) => new JsonCache(client, { name: 'thing', ttlSeconds: 30 }, instruments, log)
/** A replica's cache that keeps values in memory beside Redis; each call is another replica. */
const nearCache = (client: Redis = redis, ttlSeconds = 30) =>
  new JsonCache(client, { name: 'near', ttlSeconds, nearEntries: 100 }, instruments, log)
/** A reader's load from the database that finishes only when `release` is called, so a writer can overtake it. */
function heldLoad(value: string) {
  let release: () => void = () => {}
  const load = async () => {
    await new Promise<void>((resolve) => {
      release = resolve
    })
    return value
  }
  return { load, release: () => release() }
}
/** A read of `key` held in its load while a writer commits and invalidates the key: the read, and its load's release. */
async function readOvertakenByWrite(subject: JsonCache, key: string) {
  const reader = heldLoad('read before the write')
  const slowRead = subject.getOrLoad(key, reader.load)
  await new Promise((resolve) => setTimeout(resolve, 20))
  await subject.invalidate(key)
  return { slowRead, reader }
}
const lookups = async (result: string) =>
  (await registry.getSingleMetric('lookups')?.get())?.values.find(
    (sample) => sample.labels.cache === 'near' && sample.labels.result === result,
  )?.value ?? 0

describe('JsonCache', () => {
  it('loads on a miss, then answers from Redis', async () => {
    let loads = 0
    const load = async () => ({ n: ++loads })
    expect(await cache().getOrLoad('a', load)).toEqual({ value: { n: 1 }, source: 'MISS' })
    expect(await cache().getOrLoad('a', load)).toEqual({ value: { n: 1 }, source: 'HIT' })
    expect(await redis.ttl('a')).toBeGreaterThan(25)
  })

  it('does not cache what the loader did not find', async () => {
    expect(await cache().getOrLoad('missing', async () => undefined)).toBeUndefined()
    expect(await redis.exists('missing')).toBe(0)
  })

  it('drops a value on invalidate', async () => {
    await cache().getOrLoad('b', async () => 'old')
    await cache().invalidate('b')
    expect(await cache().getOrLoad('b', async () => 'new')).toEqual({ value: 'new', source: 'MISS' })
  })

  it('never stores a value loaded before an invalidation that happened during the load', async () => {
    const subject = cache()
    const { slowRead, reader } = await readOvertakenByWrite(subject, 'c')
    reader.release()
    expect(await slowRead).toEqual({ value: 'read before the write', source: 'MISS' })
    expect(await redis.get('c')).toBeNull()
    expect(await subject.getOrLoad('c', async () => 'after the write')).toMatchObject({ value: 'after the write' })
    expect(await subject.getOrLoad('c', async () => 'unused')).toEqual({ value: 'after the write', source: 'HIT' })
  })

  it('loads once for the misses of one key in flight together, each answered the value', async () => {
    const subject = cache()
    let loads = 0
    const reader = heldLoad('loaded once')
    const load = () => {
      loads++
      return reader.load()
    }
    const reads = [subject.getOrLoad('e', load), subject.getOrLoad('e', load), subject.getOrLoad('e', load)]
    await new Promise((resolve) => setTimeout(resolve, 20))
    reader.release()
    expect(await Promise.all(reads)).toEqual(Array(3).fill({ value: 'loaded once', source: 'MISS' }))
    expect(loads).toBe(1)
    expect(await redis.get('e')).toBe('"loaded once"')
    // Done: the next miss (after an invalidation) loads again.
    await subject.invalidate('e')
    const loadAgain = async () => {
      loads++
      return 'loaded again'
    }
    expect(await subject.getOrLoad('e', loadAgain)).toEqual({ value: 'loaded again', source: 'MISS' })
    expect(loads).toBe(2)
  })

  it('never joins a load that began before an invalidation: the later miss loads what the write left', async () => {
    const subject = cache()
    const { slowRead, reader } = await readOvertakenByWrite(subject, 'f')
    const readAfterWrite = subject.getOrLoad('f', async () => 'after the write')
    expect(await readAfterWrite).toEqual({ value: 'after the write', source: 'MISS' })
    reader.release()
    expect(await slowRead).toEqual({ value: 'read before the write', source: 'MISS' })
    expect(await subject.getOrLoad('f', async () => 'unused')).toEqual({ value: 'after the write', source: 'HIT' })
  })

  it('answers every joined miss the loader’s failure, and loads again on the next one', async () => {
    const subject = cache()
    let loads = 0
    const failing = async () => {
      loads++
      await new Promise((resolve) => setTimeout(resolve, 20))
      throw new Error('database down')
    }
    const reads = await Promise.allSettled([subject.getOrLoad('g', failing), subject.getOrLoad('g', failing)])
    expect(reads.map((read) => read.status === 'rejected' && (read.reason as Error).message)).toEqual([
      'database down',
      'database down',
    ])
    expect(loads).toBe(1)
    expect(await subject.getOrLoad('g', async () => 'back')).toEqual({ value: 'back', source: 'MISS' })
  })

  it('falls back to the loader when Redis is unreachable, and counts it', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    })
    unreachable.on('error', () => {})
    await unreachable.connect().catch(() => {})
    const result = await cache(unreachable).getOrLoad('d', async () => 'from the database')
    expect(result).toEqual({ value: 'from the database', source: 'MISS' })
    await cache(unreachable).invalidate('d')
    const errors = await registry.getSingleMetricAsString('errors')
    expect(errors).toContain('operation="get"')
    expect(errors).toContain('operation="invalidate"')
    unreachable.disconnect()
  })
})

describe('JsonCache with near entries', () => {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value))

  it('answers a value it holds once Redis confirms its generation, without reading the value again', async () => {
    const replica = nearCache()
    expect(await replica.getOrLoadJson('n1', async () => ({ stock: 5 }))).toEqual({
      value: json({ stock: 5 }),
      source: 'MISS',
    })
    // Overwritten behind the cache's back (no invalidation): a read that carried the value from
    // Redis would answer this; the near entry is answered instead, as its generation still holds.
    await redis.set('n1', JSON.stringify({ stock: 'overwritten' }), 'KEEPTTL')
    const hitsBefore = await lookups('hit')
    expect(await replica.getOrLoadJson('n1', async () => 'unused')).toEqual({
      value: json({ stock: 5 }),
      source: 'HIT',
    })
    expect(await lookups('hit')).toBe(hitsBefore + 1)
  })

  it('keeps what another replica stored, and drops it when any replica invalidates', async () => {
    const [writer, reader] = [nearCache(), nearCache()]
    await writer.getOrLoadJson('n2', async () => ({ stock: 5 }))
    expect(await reader.getOrLoadJson('n2', async () => 'unused')).toEqual({ value: json({ stock: 5 }), source: 'HIT' })
    await redis.set('n2', JSON.stringify({ stock: 'overwritten' }), 'KEEPTTL')
    expect((await reader.getOrLoadJson('n2', async () => 'unused'))?.value).toEqual(json({ stock: 5 })) // kept
    await writer.invalidate('n2') // the stock changed on the writer's replica
    expect(await reader.getOrLoadJson('n2', async () => ({ stock: 4 }))).toEqual({
      value: json({ stock: 4 }),
      source: 'MISS',
    })
    expect(await reader.getOrLoadJson('n2', async () => 'unused')).toEqual({ value: json({ stock: 4 }), source: 'HIT' })
    expect(await writer.getOrLoadJson('n2', async () => 'unused')).toEqual({ value: json({ stock: 4 }), source: 'HIT' })
  })

  it('never outlives the TTL of Redis’ copy', async () => {
    const replica = nearCache(redis, 1)
    let loads = 0
    const load = async () => ({ load: ++loads })
    await replica.getOrLoadJson('n3', load)
    expect((await replica.getOrLoadJson('n3', load))?.source).toBe('HIT')
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    expect(await redis.exists('n3')).toBe(0)
    expect(await replica.getOrLoadJson('n3', load)).toEqual({ value: json({ load: 2 }), source: 'MISS' })
  })

  it('never answers a value loaded before an invalidation that happened during the load', async () => {
    const [reader, writer] = [nearCache(), nearCache()]
    const held = heldLoad('read before the write')
    const slowRead = reader.getOrLoadJson('n4', held.load)
    await new Promise((resolve) => setTimeout(resolve, 20))
    await writer.invalidate('n4')
    held.release()
    expect(await slowRead).toEqual({ value: json('read before the write'), source: 'MISS' })
    expect(await reader.getOrLoadJson('n4', async () => 'after the write')).toEqual({
      value: json('after the write'),
      source: 'MISS',
    })
  })

  it('loads from the source when Redis fails, even holding the value, and counts one error per read', async () => {
    const client = new Redis(redis.options)
    const replica = nearCache(client)
    await replica.getOrLoadJson('n5', async () => 'cached')
    client.disconnect()
    const errorsBefore = await lookups('error')
    expect(await replica.getOrLoadJson('n5', async () => 'from the database')).toEqual({
      value: json('from the database'),
      source: 'MISS',
    })
    expect(await lookups('error')).toBe(errorsBefore + 1)
  })
})
