import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { healthPlugin } from '../src/index.ts'

let app: ReturnType<typeof Fastify> | undefined
afterEach(() => app?.close())

async function start(checks: Record<string, () => Promise<unknown>>, checkTimeoutMs?: number, optional: string[] = []) {
  app = Fastify()
  await app.register(healthPlugin, checkTimeoutMs === undefined ? {} : { checkTimeoutMs })
  for (const [name, check] of Object.entries(checks)) {
    app.health.addCheck(name, check, { required: !optional.includes(name) })
  }
  return app
}

describe('health: liveness answers while the process does; readiness, while its dependencies do', () => {
  it('is live and ready when every check answers', async () => {
    const service = await start({ postgres: async () => 1, redis: async () => 'PONG' })
    expect((await service.inject('/health/live')).json()).toEqual({ status: 'ok' })
    expect((await service.inject('/health')).json()).toEqual({ status: 'healthy' })
    const ready = await service.inject('/health/ready')
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } })
  })

  it('is not ready (503) when a check fails, and says which and why; still live', async () => {
    const service = await start({
      postgres: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432')
      },
      redis: async () => 'PONG',
    })
    const ready = await service.inject('/health/ready')
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toEqual({
      status: 'unavailable',
      checks: { postgres: 'error: connect ECONNREFUSED 127.0.0.1:5432', redis: 'ok' },
    })
    expect((await service.inject('/health/live')).statusCode).toBe(200)
  })

  it('stays ready (200, degraded) when only a dependency it can do without fails, and says which', async () => {
    const down = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379')
    }
    const service = await start({ postgres: async () => 1, redis: down }, undefined, ['redis'])
    const ready = await service.inject('/health/ready')
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({
      status: 'degraded',
      checks: { postgres: 'ok', redis: 'error: connect ECONNREFUSED 127.0.0.1:6379' },
    })
    await service.close()
    const both = await start({ postgres: down, redis: down }, undefined, ['redis'])
    expect((await both.inject('/health/ready')).statusCode).toBe(503)
  })

  it('counts a hung dependency as failed after the check timeout, instead of hanging the probe', async () => {
    const service = await start({ redis: () => new Promise(() => {}) }, 50)
    const ready = await service.inject('/health/ready')
    expect(ready.statusCode).toBe(503)
    expect(ready.json().checks).toEqual({ redis: 'error: no answer within 50 ms' })
  })
})
