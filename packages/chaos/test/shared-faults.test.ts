import { startTestInfrastructure, uniqueRedisPrefix } from '@food/testing'
import { Redis } from 'ioredis'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FaultStore } from '../src/fault-store.ts'
import { SharedFaults } from '../src/shared-faults.ts'

let redisUrl: string
let stop: () => Promise<void>
const connections: Redis[] = []
const log = pino({ level: 'silent' })

/** A connection of its own per test: a service's replicas share one key prefix, tests do not. */
const serviceRedis = () => {
  const redis = new Redis(redisUrl, { keyPrefix: uniqueRedisPrefix('chaos') })
  connections.push(redis)
  return redis
}

beforeAll(async () => {
  const infrastructure = await startTestInfrastructure()
  stop = infrastructure.stop
  redisUrl = infrastructure.redisUrl
})
afterAll(async () => {
  for (const redis of connections) redis.disconnect()
  await stop()
})

describe('SharedFaults', () => {
  it('never lets a read that a local change overtook undo that change', async () => {
    const store = new FaultStore()
    const shared = new SharedFaults(serviceRedis(), store, log)
    // A reload under way (as when another replica's announcement arrives) reads the hash before
    // the change below is written; applying that read would wipe the change from this replica.
    const reloading = shared.reload()
    const fault = store.set('delay', 400)
    await shared.set('delay', fault)
    await reloading
    expect(store.entries().map(([name, active]) => [name, active.value])).toEqual([['delay', 400]])
    // The next read, after the change, takes the shared state as it is.
    await shared.reload()
    expect(store.entries().map(([name, active]) => [name, active.value])).toEqual([['delay', 400]])
  })

  it('takes on a change another replica made', async () => {
    const redis = serviceRedis()
    const mine = new FaultStore()
    const theirs = new FaultStore()
    await new SharedFaults(redis, theirs, log).set('error', theirs.set('error', true))
    await new SharedFaults(redis, mine, log).reload()
    expect(mine.entries().map(([name, active]) => [name, active.value])).toEqual([['error', true]])
  })
})
