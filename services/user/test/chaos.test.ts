import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { errorBody, startUserService, type TestUserService } from './helpers/user-service.ts'

describe('chaos routes', () => {
  let service: TestUserService
  let userId: number
  beforeAll(async () => {
    service = await startUserService()
    userId = (await service.createUser()).id
  })
  afterEach(() => service.call('DELETE', '/chaos'))
  afterAll(() => service.close())

  it('shows no fault at first, and lists the available ones', async () => {
    const response = await service.call('GET', '/chaos')
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ enabled: true, faults: {} })
    expect(response.body.available).toEqual(
      expect.arrayContaining([
        { name: 'delay', route: '/chaos/delay', field: 'delay_ms' },
        { name: 'error', route: '/chaos/error', field: 'enable' },
      ]),
    )
  })

  it('delays every route by delay_ms', async () => {
    const set = await service.call('POST', '/chaos/delay', { json: { delay_ms: 400 } })
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({ fault: 'delay', value: 400, expires_at: null, message: expect.any(String) })
    const started = performance.now()
    const response = await service.call('GET', `/users/${userId}`)
    expect(response.status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(395)
  })

  it('makes about half of the requests fail with 500, and never the probes', async () => {
    await service.call('POST', '/chaos/error', { json: { enable: true } })
    const statuses = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const response = await service.call('GET', `/users/${userId}`)
        if (response.status === 500) expect(response.body).toEqual(errorBody('CHAOS_INJECTED_ERROR'))
        return response.status
      }),
    )
    const failures = statuses.filter((status) => status === 500).length
    expect(failures + statuses.filter((status) => status === 200).length).toBe(200)
    // With p = 0.5 over 200 calls, outside 50..150 has a probability below 1e-12.
    expect(failures).toBeGreaterThan(50)
    expect(failures).toBeLessThan(150)

    const probes = await Promise.all(Array.from({ length: 200 }, () => service.call('GET', '/health/live')))
    expect(probes.every((probe) => probe.status === 200)).toBe(true)
    expect((await service.call('GET', '/chaos')).status).toBe(200)
  })

  it('clears a fault by itself after ttl_s', async () => {
    const set = await service.call('POST', '/chaos/error', { json: { enable: true, ttl_s: 1 } })
    expect(set.body.expires_at).toEqual(expect.any(String))
    expect((await service.call('GET', '/chaos')).body.faults.error).toMatchObject({ value: true })
    await new Promise((resolve) => setTimeout(resolve, 1200))
    expect((await service.call('GET', '/chaos')).body.faults).toEqual({})
  })

  it('clears every fault with DELETE /chaos, and one with its off value', async () => {
    await service.call('POST', '/chaos/delay', { json: { delay_ms: 10 } })
    await service.call('POST', '/chaos/error', { json: { enable: true } })
    const off = await service.call('POST', '/chaos/error', { json: { enable: false } })
    expect(off.status).toBe(200)
    expect(Object.keys((await service.call('GET', '/chaos')).body.faults)).toEqual(['delay'])
    const cleared = await service.call('DELETE', '/chaos')
    expect(cleared.body).toMatchObject({ cleared: ['delay'] })
    expect((await service.call('GET', '/chaos')).body.faults).toEqual({})
  })

  it('counts each change in a metric', async () => {
    await service.call('POST', '/chaos/delay', { json: { delay_ms: 5 } })
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text()
    expect(metrics).toMatch(/chaos_fault_changes_total\{fault="delay",action="set",service="user"\} [1-9]/)
    expect(metrics).toMatch(/chaos_fault_value\{fault="delay",service="user"\} 5/)
  })

  it.each([
    ['/chaos/delay', { delay_ms: -1 }],
    ['/chaos/delay', { delay_ms: 60_001 }],
    ['/chaos/delay', { delay_ms: '100' }],
    ['/chaos/delay', {}],
    ['/chaos/error', { enable: 'yes' }],
    ['/chaos/error', { enable: true, ttl_s: 0 }],
    ['/chaos/delay', { delay_ms: 100, ttl: 5 }],
  ])('rejects POST %s %j with 400, and sets nothing', async (path, json) => {
    const response = await service.call('POST', path, { json })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'))
    expect((await service.call('GET', '/chaos')).body.faults).toEqual({})
  })

  it('names the unknown field a typo made', async () => {
    const response = await service.call('POST', '/chaos/delay', { json: { delay_ms: 100, ttl: 5 } })
    expect(response.body.error.details).toEqual([
      expect.objectContaining({
        location: 'body',
        message: 'must NOT have additional properties',
        params: { additionalProperty: 'ttl' },
      }),
    ])
  })
})

describe('the experiment in progress (PUT /chaos/run), for the chaos console', () => {
  let service: TestUserService
  beforeAll(async () => {
    service = await startUserService()
  })
  afterAll(() => service.close())

  const run = {
    title: '30% of payments fail',
    step: 'method',
    phase: 'fault',
    elapsed_s: 12.5,
    deviated: false,
    probes: [{ name: 'p95 of POST /orders under 1 s', value: '0.231', met: true }],
  }

  it('shows what its runner said in GET /chaos until it is cleared', async () => {
    expect((await service.call('GET', '/chaos')).body.run).toBeNull()
    const said = await service.call('PUT', '/chaos/run', { json: { run, ttl_s: 30 } })
    expect(said.status).toBe(200)
    expect((await service.call('GET', '/chaos')).body.run).toEqual({
      ...run,
      updated_at: expect.any(String),
      expires_at: expect.any(String),
    })
    expect((await service.call('DELETE', '/chaos/run')).body.message).toBe('experiment no longer shown')
    expect((await service.call('GET', '/chaos')).body.run).toBeNull()
  })

  it('lapses after its TTL: a runner that died leaves nothing behind', async () => {
    await service.call('PUT', '/chaos/run', { json: { run, ttl_s: 1 } })
    await new Promise((resolve) => setTimeout(resolve, 1200))
    expect((await service.call('GET', '/chaos')).body.run).toBeNull()
  })

  it('refuses a run it cannot show, with every problem', async () => {
    const bad = await service.call('PUT', '/chaos/run', {
      json: { run: { ...run, step: 'lunch', probes: [{ name: 'x', value: 1, met: true }] }, ttl_s: 0 },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('VALIDATION_ERROR')
    expect(bad.body.error.details.length).toBeGreaterThanOrEqual(2)
  })
})

describe('chaos disabled', () => {
  let service: TestUserService
  beforeAll(async () => {
    service = await startUserService({ CHAOS_ENABLED: 'false' })
  })
  afterAll(() => service.close())

  it('has no chaos routes at all', async () => {
    expect((await service.call('GET', '/chaos')).status).toBe(404)
    expect((await service.call('POST', '/chaos/error', { json: { enable: true } })).status).toBe(404)
  })
})

describe('chaos behind a token (CHAOS_TOKEN)', () => {
  const TOKEN = 'Zq3vT9-kLm2Xp8rW4nB6yC1dF5gH7jK0'
  let service: TestUserService
  beforeAll(async () => {
    service = await startUserService({ CHAOS_TOKEN: TOKEN })
  })
  afterAll(() => service.close())

  it('refuses every change without the token, or with another, and changes nothing', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { 'x-chaos-token': 'not-the-token' },
      { 'x-chaos-token': `${TOKEN}x` },
    ]
    for (const headers of attempts) {
      const set = await service.call('POST', '/chaos/delay', { headers, json: { delay_ms: 100 } })
      expect(set.status).toBe(401)
      expect(set.body).toEqual(errorBody('CHAOS_TOKEN_INVALID'))
      expect((await service.call('DELETE', '/chaos', { headers })).status).toBe(401)
      const run = { title: 't', step: 'method', phase: 'baseline', elapsed_s: 0, deviated: false, probes: [] }
      expect((await service.call('PUT', '/chaos/run', { headers, json: { run, ttl_s: 5 } })).status).toBe(401)
    }
    expect((await service.call('GET', '/chaos')).body.run).toBeNull()
    expect((await service.call('GET', '/chaos')).body.faults).toEqual({})
  })

  it('takes changes with the token; reading the faults needs none', async () => {
    const headers = { 'x-chaos-token': TOKEN }
    expect((await service.call('POST', '/chaos/delay', { headers, json: { delay_ms: 100 } })).status).toBe(200)
    expect((await service.call('GET', '/chaos')).body.faults.delay.value).toBe(100)
    expect((await service.call('DELETE', '/chaos', { headers })).body.cleared).toEqual(['delay'])
  })

  it('documents the header and the 401 in OpenAPI', async () => {
    const operation = (await service.call('GET', '/docs/json')).body.paths['/chaos/delay'].post
    expect(operation.parameters).toEqual([expect.objectContaining({ in: 'header', name: 'x-chaos-token' })])
    expect(Object.keys(operation.responses)).toContain('401')
  })
})
