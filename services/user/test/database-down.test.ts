import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorBody, startUserService, type TestUserService } from './helpers/user-service.ts'

// Stopping the shared PostgreSQL would break the other test files running beside this one; a
// server that does not listen fails the same way for the service (connection refused).
describe('with PostgreSQL down', () => {
  let service: TestUserService
  beforeAll(async () => {
    service = await startUserService({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/user_db' })
  })
  afterAll(() => service.close())

  it.each([
    ['POST', '/signup', { username: 'nobody', password: 'pass-word' }],
    ['POST', '/login', { username: 'user', password: 'pass' }],
    ['GET', '/users/1', undefined],
  ])('%s %s answers 503 DATABASE_UNAVAILABLE, not a 500', async (method, path, json) => {
    const response = await service.call(method, path, { json })
    expect(response.status).toBe(503)
    expect(response.body).toEqual(errorBody('DATABASE_UNAVAILABLE'))
    expect(response.body.error.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|prisma/i)
  })

  it('is live but not ready', async () => {
    expect((await service.call('GET', '/health/live')).status).toBe(200)
    const ready = await service.call('GET', '/health/ready')
    expect(ready.status).toBe(503)
    expect(ready.body.checks).toMatchObject({ postgres: expect.not.stringMatching(/^ok$/), redis: 'ok' })
  })
})
