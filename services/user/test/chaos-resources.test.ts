import { execFile } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { uniqueRedisPrefix } from '@food/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { errorBody, startUserService, type TestUserService } from './helpers/user-service.ts'

// The resource faults act on the process itself: the service runs in this test's process, so
// what it burns, retains and holds is measured here, through its own /metrics. Every bound is
// generous (a noisy 2-core machine): the direction and the order of magnitude, not a timing.

const run = promisify(execFile)
const MiB = 2 ** 20
/** The pool is small and gives up soon, so a drained pool shows in a second or two. */
const POOL = { DATABASE_POOL_MAX: '3', DATABASE_POOL_TIMEOUT_MS: '1500' }
const POLL = { interval: 50, timeout: 10_000 }

/** One series' value in Prometheus' text format (the first whose labels include `labels`). */
function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)/.exec(line)
    if (!match || match[1] !== name) continue
    const labelText = match[2] ?? ''
    if (Object.entries(labels).every(([label, value]) => labelText.includes(`${label}="${value}"`))) {
      return Number(match[3])
    }
  }
  throw new Error(`no series ${name} ${JSON.stringify(labels)} in /metrics`)
}

/** How long each of `count` GETs of `url`, 150 ms apart, took, ms: from a child process, a client outside the service's. */
async function timedFromOutside(url: string, count: number): Promise<number[]> {
  const script = `
    const durations = []
    for (let i = 0; i < ${count}; i++) {
      const started = performance.now()
      await (await fetch(${JSON.stringify(url)})).text()
      durations.push(performance.now() - started)
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
    console.log(JSON.stringify(durations))`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 })
  return JSON.parse(stdout) as number[]
}

const read = async (service: TestUserService, name: string, labels?: Record<string, string>) =>
  metricValue(await service.metrics(), name, labels)

describe('resource faults: cpu_hog, memory_leak, connection_leak', () => {
  let service: TestUserService
  beforeAll(async () => {
    service = await startUserService(POOL)
  })
  afterEach(() => service.call('DELETE', '/chaos'))
  afterAll(() => service.close())

  it('lists them, each with its field, and documents each value in OpenAPI', async () => {
    const { available } = (await service.call('GET', '/chaos')).body
    expect(available).toEqual(
      expect.arrayContaining([
        { name: 'cpu_hog', route: '/chaos/cpu_hog', field: 'busy_percent' },
        { name: 'memory_leak', route: '/chaos/memory_leak', field: 'mb_per_s' },
        { name: 'connection_leak', route: '/chaos/connection_leak', field: 'connections_per_s' },
      ]),
    )
    const { paths } = (await service.call('GET', '/docs/json')).body
    for (const [route, field, maximum] of [
      ['/chaos/cpu_hog', 'busy_percent', 90],
      ['/chaos/memory_leak', 'mb_per_s', 50],
      ['/chaos/connection_leak', 'connections_per_s', 50],
    ] as const) {
      const operation = paths[route].post
      expect(operation.description).toEqual(expect.stringContaining('0 switches it off'))
      expect(operation.requestBody.content['application/json'].schema.properties[field]).toMatchObject({
        type: 'integer',
        minimum: 0,
        maximum,
      })
    }
  })

  it.each([
    [
      '/chaos/cpu_hog',
      { busy_percent: 95 },
      'body/busy_percent must be an integer from 0 to 90 (0 switches it off), not 95',
    ],
    [
      '/chaos/cpu_hog',
      { busy_percent: '50' },
      'body/busy_percent must be an integer from 0 to 90 (0 switches it off), not "50"',
    ],
    [
      '/chaos/memory_leak',
      { mb_per_s: 51 },
      'body/mb_per_s must be an integer from 0 to 50 (0 switches it off), not 51',
    ],
    [
      '/chaos/memory_leak',
      { mb_per_s: 1.5 },
      'body/mb_per_s must be an integer from 0 to 50 (0 switches it off), not 1.5',
    ],
    [
      '/chaos/connection_leak',
      { connections_per_s: -1 },
      'body/connections_per_s must be an integer from 0 to 50 (0 switches it off), not -1',
    ],
    [
      '/chaos/connection_leak',
      { ttl_s: 5 },
      'body/connections_per_s must be an integer from 0 to 50 (0 switches it off), and is missing',
    ],
    [
      '/chaos/delay',
      { delay_ms: 60_001 },
      'body/delay_ms must be an integer from 0 to 60000 (0 switches it off), not 60001',
    ],
    ['/chaos/error', { enable: 'yes' }, 'body/enable must be true or false (false switches it off), not "yes"'],
  ])(
    'rejects POST %s %j with 400 naming the value and the valid range, and sets nothing',
    async (path, json, message) => {
      const response = await service.call('POST', path, { json })
      expect(response.status).toBe(400)
      expect(response.body).toEqual(errorBody('VALIDATION_ERROR'))
      expect(response.body.error.message).toBe(message)
      expect(response.body.error.details).toEqual([expect.objectContaining({ location: 'body' })])
      expect((await service.call('GET', '/chaos')).body.faults).toEqual({})
    },
  )

  it('keeps Fastify’s message for what is not the value (a bad ttl_s)', async () => {
    const response = await service.call('POST', '/chaos/cpu_hog', { json: { busy_percent: 10, ttl_s: 0 } })
    expect(response.status).toBe(400)
    expect(response.body.error.message).toBe('body/ttl_s must be >= 1')
  })

  it('cpu_hog: the event loop lags and the CPU burns while it is on, and not once cleared', async () => {
    await service.metrics() // the event loop's histogram starts afresh at each scrape
    const cpuBefore = await read(service, 'process_cpu_seconds_total')
    const started = performance.now()
    const set = await service.call('POST', '/chaos/cpu_hog', { json: { busy_percent: 50 } })
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({ fault: 'cpu_hog', value: 50 })
    await sleep(3000)
    const during = await service.metrics()
    const elapsedS = (performance.now() - started) / 1000
    // About 500 ms each second: at least the 200 ms the EventLoopLag alert fires on.
    expect(metricValue(during, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0.2)
    expect(metricValue(during, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0.3)
    // Up to half a core, less what a crowded machine takes from it: compared with the same service idle, below.
    const cpuOn = (metricValue(during, 'process_cpu_seconds_total') - cpuBefore) / elapsedS
    expect(metricValue(during, 'chaos_injections_total', { fault: 'cpu_hog' })).toBeGreaterThanOrEqual(2)

    // A request that comes during a spin waits for it, as a client in another process sees it
    // (in this process, the test's own client waits for the spin's end before it sends).
    const durations = await timedFromOutside(`${service.baseUrl}/health/live`, 20)
    expect(Math.max(...durations)).toBeGreaterThanOrEqual(100)
    console.log(
      `cpu_hog 50%: event loop lag p99 ${metricValue(during, 'nodejs_eventloop_lag_p99_seconds')} s, CPU ${cpuOn.toFixed(2)} s/s, GET /health/live from outside ${durations.map(Math.round).join(' ')} ms`,
    )

    await service.call('POST', '/chaos/cpu_hog', { json: { busy_percent: 0 } })
    const cpuAfter = await read(service, 'process_cpu_seconds_total')
    const clearedAt = performance.now()
    await sleep(2000)
    const after = await service.metrics()
    const cpuOff =
      (metricValue(after, 'process_cpu_seconds_total') - cpuAfter) / ((performance.now() - clearedAt) / 1000)
    const lagAfter = metricValue(after, 'nodejs_eventloop_lag_p99_seconds')
    expect(lagAfter).toBeLessThan(0.15)
    expect(cpuOn).toBeGreaterThan(2 * cpuOff)
    expect(cpuOn - cpuOff).toBeGreaterThan(0.05)
    console.log(`cpu_hog cleared: event loop lag p99 ${lagAfter} s, CPU ${cpuOff.toFixed(2)} s/s`)
  })

  it('memory_leak: the heap and the resident memory grow by what it retains, and fall back once cleared', async () => {
    const heapBefore = await read(service, 'nodejs_heap_size_used_bytes')
    const rssBefore = await read(service, 'process_resident_memory_bytes')
    expect((await service.call('POST', '/chaos/memory_leak', { json: { mb_per_s: 40 } })).status).toBe(200)
    await expect.poll(() => read(service, 'chaos_memory_leak_retained_bytes'), POLL).toBeGreaterThanOrEqual(80 * MiB)
    const during = await service.metrics()
    const retained = metricValue(during, 'chaos_memory_leak_retained_bytes')
    const heapDuring = metricValue(during, 'nodejs_heap_size_used_bytes')
    expect(heapDuring - heapBefore).toBeGreaterThanOrEqual(0.6 * retained)
    expect(heapDuring - heapBefore).toBeLessThanOrEqual(retained + 100 * MiB)
    expect(metricValue(during, 'process_resident_memory_bytes') - rssBefore).toBeGreaterThanOrEqual(0.5 * retained)
    expect(metricValue(during, 'chaos_injections_total', { fault: 'memory_leak' })).toBe(retained / MiB)
    console.log(
      `memory_leak 40 MiB/s: ${retained / MiB} MiB retained, heap +${((heapDuring - heapBefore) / MiB).toFixed(0)} MiB, RSS +${((metricValue(during, 'process_resident_memory_bytes') - rssBefore) / MiB).toFixed(0)} MiB`,
    )
    // It goes on growing while it is on.
    await expect.poll(() => read(service, 'chaos_memory_leak_retained_bytes'), POLL).toBeGreaterThan(retained)

    const cleared = await service.call('DELETE', '/chaos')
    expect(cleared.body.cleared).toEqual(['memory_leak'])
    await expect.poll(() => read(service, 'chaos_memory_leak_retained_bytes'), POLL).toBe(0)
    await expect
      .poll(() => read(service, 'nodejs_heap_size_used_bytes'), POLL)
      .toBeLessThan(heapDuring - 0.6 * retained)
  })

  it('memory_leak: let go when its TTL ends', async () => {
    await service.call('POST', '/chaos/memory_leak', { json: { mb_per_s: 20, ttl_s: 1 } })
    await expect.poll(() => read(service, 'chaos_memory_leak_retained_bytes'), POLL).toBeGreaterThan(0)
    await expect.poll(() => read(service, 'chaos_memory_leak_retained_bytes'), POLL).toBe(0)
    expect((await service.call('GET', '/chaos')).body.faults).toEqual({})
  })

  it('connection_leak: the pool runs dry, requests wait for it then fail 503 DATABASE_BUSY, and all is well once cleared', async () => {
    expect((await service.call('POST', '/chaos/connection_leak', { json: { connections_per_s: 5 } })).status).toBe(200)
    await expect.poll(() => read(service, 'chaos_connection_leak_held_connections'), POLL).toBe(3)
    expect(await read(service, 'database_connections_active')).toBe(3)
    expect(await read(service, 'database_connections_max')).toBe(3)

    // A request that needs the database waits for a connection (the DatabasePoolSaturated alert's
    // series), then gives up after DATABASE_POOL_TIMEOUT_MS.
    const signup = service.call('POST', '/signup', {
      json: { username: `leak${Date.now()}`, password: 'correct-horse' },
    })
    await expect.poll(() => read(service, 'database_pool_waiting_requests'), POLL).toBeGreaterThanOrEqual(1)
    const refused = await signup
    expect(refused.status).toBe(503)
    expect(refused.body).toEqual(errorBody('DATABASE_BUSY'))
    expect((await service.call('GET', '/health/ready')).status).toBe(503)
    expect(await read(service, 'chaos_injections_total', { fault: 'connection_leak' })).toBeGreaterThanOrEqual(3)

    const cleared = await service.call('POST', '/chaos/connection_leak', { json: { connections_per_s: 0 } })
    expect(cleared.status).toBe(200)
    await expect.poll(() => read(service, 'chaos_connection_leak_held_connections'), POLL).toBe(0)
    expect(await read(service, 'database_connections_active')).toBe(0)
    const answered = await service.call('POST', '/signup', {
      json: { username: `fine${Date.now()}`, password: 'correct-horse' },
    })
    expect(answered.status).toBe(201)
    expect((await service.call('GET', '/health/ready')).status).toBe(200)
    await expect.poll(() => read(service, 'database_pool_waiting_requests'), POLL).toBe(0)
  })

  it('connection_leak: leaks at the rate asked for, and gives every connection back when its TTL ends', async () => {
    const set = await service.call('POST', '/chaos/connection_leak', { json: { connections_per_s: 1, ttl_s: 2 } })
    expect(set.body.expires_at).toEqual(expect.any(String))
    // One at once, then one a second: the third comes later than the first.
    await expect.poll(() => read(service, 'chaos_connection_leak_held_connections'), POLL).toBeGreaterThanOrEqual(1)
    expect(await read(service, 'chaos_connection_leak_held_connections')).toBeLessThan(3)
    await expect.poll(() => read(service, 'chaos_connection_leak_held_connections'), POLL).toBe(0)
    expect((await service.call('GET', '/health/ready')).status).toBe(200)
  })
})

describe('a resource fault set on one replica acts on every replica', () => {
  const env = { ...POOL, REDIS_KEY_PREFIX: uniqueRedisPrefix('user') }
  let first: TestUserService
  let second: TestUserService
  beforeAll(async () => {
    ;[first, second] = await Promise.all([startUserService(env), startUserService(env)])
  })
  afterAll(async () => {
    await first.call('DELETE', '/chaos')
    await Promise.all([first.close(), second.close()])
  })

  it('drains the other replica’s pool too, and gives it back when cleared there', async () => {
    await first.call('POST', '/chaos/connection_leak', { json: { connections_per_s: 10 } })
    await expect.poll(() => read(second, 'chaos_connection_leak_held_connections'), POLL).toBe(3)
    expect((await second.call('GET', '/health/ready')).status).toBe(503)
    await second.call('DELETE', '/chaos')
    await expect.poll(() => read(first, 'chaos_connection_leak_held_connections'), POLL).toBe(0)
    await expect.poll(() => read(second, 'chaos_connection_leak_held_connections'), POLL).toBe(0)
    expect((await second.call('GET', '/health/ready')).status).toBe(200)
  })
})

describe('chaos disabled', () => {
  let service: TestUserService
  beforeAll(async () => {
    service = await startUserService({ CHAOS_ENABLED: 'false' })
  })
  afterAll(() => service.close())

  it('has no resource fault to switch', async () => {
    expect((await service.call('POST', '/chaos/cpu_hog', { json: { busy_percent: 50 } })).status).toBe(404)
    expect((await service.call('POST', '/chaos/connection_leak', { json: { connections_per_s: 5 } })).status).toBe(404)
  })
})
