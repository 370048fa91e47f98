import { uniqueRedisPrefix } from '@food/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startUserService, type TestUserService } from './helpers/user-service.ts'

/** The faults a replica reports, once they satisfy `until` (changes travel through Redis). */
async function faultsOf(replica: TestUserService, until: (faults: Record<string, unknown>) => boolean) {
  let faults: Record<string, unknown> = {}
  for (let i = 0; i < 100; i++) {
    faults = (await replica.call('GET', '/chaos')).body.faults
    if (until(faults)) return faults
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
  return faults
}

describe('chaos faults shared by the replicas of a service', () => {
  // Two replicas: same service, same Redis key prefix, as behind the gateway.
  const env = { REDIS_KEY_PREFIX: uniqueRedisPrefix('user') }
  let first: TestUserService
  let second: TestUserService
  beforeAll(async () => {
    ;[first, second] = await Promise.all([startUserService(env), startUserService(env)])
  })
  afterEach(() => first.call('DELETE', '/chaos'))
  afterAll(() => Promise.all([first.close(), second.close()]))

  it('a fault set on one replica strikes the other', async () => {
    await first.call('POST', '/chaos/delay', { json: { delay_ms: 300 } })
    expect(await faultsOf(second, (faults) => 'delay' in faults)).toMatchObject({ delay: { value: 300 } })
    const started = performance.now()
    await second.call('GET', '/users/1')
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  })

  it('a fault cleared on one replica, one by one or all at once, is cleared on the other', async () => {
    await first.call('POST', '/chaos/delay', { json: { delay_ms: 5 } })
    await first.call('POST', '/chaos/error', { json: { enable: true } })
    await faultsOf(second, (faults) => Object.keys(faults).length === 2)
    await second.call('POST', '/chaos/error', { json: { enable: false } })
    expect(Object.keys(await faultsOf(first, (faults) => !('error' in faults)))).toEqual(['delay'])
    await second.call('DELETE', '/chaos')
    expect(await faultsOf(first, (faults) => Object.keys(faults).length === 0)).toEqual({})
  })

  it('a fault with a TTL keeps its expiry on every replica, and ends on each', async () => {
    const set = await first.call('POST', '/chaos/error', { json: { enable: true, ttl_s: 1 } })
    const seen = await faultsOf(second, (faults) => 'error' in faults)
    expect(seen).toMatchObject({ error: { value: true, expires_at: set.body.expires_at } })
    expect(await faultsOf(second, (faults) => !('error' in faults))).toEqual({})
    expect((await first.call('GET', '/chaos')).body.faults).toEqual({})
  })

  it('a replica started later takes on the faults in force', async () => {
    await first.call('POST', '/chaos/delay', { json: { delay_ms: 7 } })
    const late = await startUserService(env)
    try {
      expect((await late.call('GET', '/chaos')).body.faults).toMatchObject({ delay: { value: 7 } })
    } finally {
      await late.close()
    }
  })
})

describe('chaos with Redis unreachable', () => {
  let service: TestUserService
  beforeAll(async () => {
    service = await startUserService({ REDIS_URL: 'redis://127.0.0.1:1' })
  })
  afterAll(() => service.close())

  it('still sets and clears faults on this replica', async () => {
    expect((await service.call('POST', '/chaos/delay', { json: { delay_ms: 5 } })).status).toBe(200)
    expect((await service.call('GET', '/chaos')).body.faults).toMatchObject({ delay: { value: 5 } })
    expect((await service.call('DELETE', '/chaos')).body).toMatchObject({ cleared: ['delay'] })
  })
})
