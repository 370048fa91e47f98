import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { freePort, uniqueRedisPrefix } from '@food/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startUserService, type TestUserService } from './helpers/user-service.ts'

/** Changes travel through Redis: each check is retried for a while before it fails. */
const POLL = { interval: 30, timeout: 3000 }
const faultsOf = async (replica: TestUserService) => (await replica.call('GET', '/chaos')).body.faults

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
    await expect.poll(() => faultsOf(second), POLL).toMatchObject({ delay: { value: 300 } })
    const started = performance.now()
    await second.call('GET', '/users/1')
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  })

  it('a fault cleared on one replica, one by one or all at once, is cleared on the other', async () => {
    await first.call('POST', '/chaos/delay', { json: { delay_ms: 5 } })
    await first.call('POST', '/chaos/error', { json: { enable: true } })
    await expect.poll(async () => Object.keys(await faultsOf(second)).sort(), POLL).toEqual(['delay', 'error'])
    await second.call('POST', '/chaos/error', { json: { enable: false } })
    await expect.poll(async () => Object.keys(await faultsOf(first)), POLL).toEqual(['delay'])
    await second.call('DELETE', '/chaos')
    await expect.poll(() => faultsOf(first), POLL).toEqual({})
  })

  it('a fault with a TTL keeps its expiry on every replica, and ends on each', async () => {
    const set = await first.call('POST', '/chaos/error', { json: { enable: true, ttl_s: 1 } })
    await expect
      .poll(() => faultsOf(second), POLL)
      .toMatchObject({ error: { value: true, expires_at: set.body.expires_at } })
    await expect.poll(() => faultsOf(second), POLL).toEqual({})
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

describe('a replica that started while Redis was down', () => {
  let redis: ChildProcess | undefined
  const replicas: TestUserService[] = []
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()))
    redis?.kill('SIGTERM')
    if (redis && redis.exitCode === null) await once(redis, 'exit')
  })

  it('follows the others once Redis is back', async () => {
    const port = await freePort()
    const env = { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: uniqueRedisPrefix('user') }
    const early = await startUserService(env)
    replicas.push(early)
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'])
    const late = await startUserService(env)
    replicas.push(late)
    await late.call('POST', '/chaos/delay', { json: { delay_ms: 9 } })
    // It reconnects on its own schedule (at most 2 s apart) and catches up with what it missed...
    await expect.poll(() => faultsOf(early), { interval: 100, timeout: 8000 }).toMatchObject({ delay: { value: 9 } })
    // ...and from then on hears of every change, as a replica that started with Redis up does.
    await late.call('POST', '/chaos/delay', { json: { delay_ms: 11 } })
    await expect.poll(() => faultsOf(early), POLL).toMatchObject({ delay: { value: 11 } })
  })
})
