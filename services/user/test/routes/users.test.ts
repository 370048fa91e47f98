import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorBody, startUserService, type TestUserService } from '../helpers/user-service.ts'

describe('GET /users/{id}', () => {
  let service: TestUserService
  beforeAll(async () => {
    service = await startUserService()
  })
  afterAll(() => service.close())

  it('returns the public profile, from the database first and then from Redis', async () => {
    const user = await service.createUser()
    const first = await service.call('GET', `/users/${user.id}`)
    const second = await service.call('GET', `/users/${user.id}`)
    expect(first.status).toBe(200)
    expect(first.body).toEqual({
      id: user.id,
      username: user.username,
      is_active: true,
      created_at: expect.any(String),
    })
    expect(first.headers.get('x-cache')).toBe('MISS')
    expect(second.headers.get('x-cache')).toBe('HIT')
    expect(second.body).toEqual(first.body)
  })

  it('is already a HIT after POST /validate, which read the profile through the same cache (docs/api.md says so)', async () => {
    const user = await service.createUser()
    const validated = await service.call('POST', '/validate', { headers: { authorization: `Bearer ${user.token}` } })
    expect(validated.status).toBe(200)
    expect((await service.call('GET', `/users/${user.id}`)).headers.get('x-cache')).toBe('HIT')
  })

  it('answers 404 USER_NOT_FOUND for an unknown id', async () => {
    const response = await service.call('GET', '/users/999999')
    expect(response.status).toBe(404)
    expect(response.body).toEqual(errorBody('USER_NOT_FOUND'))
  })

  it.each(['abc', '0', '-1', '1.5', '99999999999'])('answers 400 for the id %s', async (id) => {
    const response = await service.call('GET', `/users/${id}`)
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'))
  })

  it('answers unknown routes with 404 ROUTE_NOT_FOUND in the fleet shape', async () => {
    const response = await service.call('GET', '/no/such/route')
    expect(response.status).toBe(404)
    expect(response.body).toEqual(errorBody('ROUTE_NOT_FOUND'))
  })
})

describe('GET /users/{id} with Redis unreachable', () => {
  let service: TestUserService
  beforeAll(async () => {
    // Nothing listens on port 1: the real client fails to connect, as with Redis stopped.
    service = await startUserService({ REDIS_URL: 'redis://127.0.0.1:1' })
  })
  afterAll(() => service.close())

  it('still answers from the database, and counts the cache failure', async () => {
    const user = await service.createUser()
    for (let i = 0; i < 2; i++) {
      const response = await service.call('GET', `/users/${user.id}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('x-cache')).toBe('MISS')
    }
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text()
    expect(metrics).toMatch(/cache_lookups_total\{cache="user_profile",result="error",service="user"\} [1-9]/)
  })

  it('lets login and validate work without Redis', async () => {
    const user = await service.createUser()
    const response = await service.call('POST', '/validate', { headers: { authorization: `Bearer ${user.token}` } })
    expect(response.status).toBe(200)
  })

  it('stays ready, degraded, naming Redis: it works without it, so no load balancer should drop it', async () => {
    const response = await service.call('GET', '/health/ready')
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      status: 'degraded',
      checks: { postgres: 'ok', redis: expect.stringMatching(/^error: /) },
    })
  })
})
