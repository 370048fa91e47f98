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
    let releaseLoad: () => void = () => {}
    const slowRead = subject.getOrLoad('c', async () => {
      await new Promise<void>((resolve) => {
        releaseLoad = resolve
      })
      return 'read before the write'
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    await subject.invalidate('c') // the writer commits and invalidates while the reader is loading
    releaseLoad()
    expect(await slowRead).toEqual({ value: 'read before the write', source: 'MISS' })
    expect(await redis.get('c')).toBeNull()
    expect(await subject.getOrLoad('c', async () => 'after the write')).toMatchObject({ value: 'after the write' })
    expect(await subject.getOrLoad('c', async () => 'unused')).toEqual({ value: 'after the write', source: 'HIT' })
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
