import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { errorBody, startRestaurantService, type TestRestaurantService } from './helpers/restaurant-service.ts'

// The connection leak drains the pool the stock changes use (services/user/test/chaos-resources.test.ts
// measures every resource fault in depth; here, the restaurant service's requests meet it).
const POLL = { interval: 50, timeout: 10_000 }

/** One series' value in Prometheus' text format (the first of that name). */
const metricValue = (text: string, name: string) => {
  const line = text.split('\n').find((each) => each.startsWith(`${name}{`) || each.startsWith(`${name} `))
  if (!line) throw new Error(`no series ${name} in /metrics`)
  return Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('the restaurant service’s resource faults', () => {
  let service: TestRestaurantService
  const read = async (name: string) => metricValue(await service.metrics(), name)
  beforeAll(async () => {
    service = await startRestaurantService({ DATABASE_POOL_MAX: '3', DATABASE_POOL_TIMEOUT_MS: '1500' })
  })
  afterEach(() => service.call('DELETE', '/chaos'))
  afterAll(() => service.close())

  it('has cpu_hog, memory_leak and connection_leak among its switches', async () => {
    const { available } = (await service.call('GET', '/chaos')).body
    expect(available.map((fault: { name: string }) => fault.name)).toEqual(
      expect.arrayContaining(['inventory_delay', 'cpu_hog', 'memory_leak', 'connection_leak']),
    )
  })

  it('connection_leak: stock changes wait for a connection then fail 503 DATABASE_BUSY, and go through once it is cleared', async () => {
    const menu = await service.createMenu(10)
    expect((await service.reserve(menu.id, 'before')).status).toBe(200)

    await service.call('POST', '/chaos/connection_leak', { json: { connections_per_s: 10 } })
    await expect.poll(() => read('chaos_connection_leak_held_connections'), POLL).toBe(3)
    const reserving = service.reserve(menu.id, 'during')
    await expect.poll(() => read('database_pool_waiting_requests'), POLL).toBeGreaterThanOrEqual(1)
    const refused = await reserving
    expect(refused.status).toBe(503)
    expect(refused.body).toEqual(errorBody('DATABASE_BUSY'))

    await service.call('POST', '/chaos/connection_leak', { json: { connections_per_s: 0 } })
    await expect.poll(() => read('chaos_connection_leak_held_connections'), POLL).toBe(0)
    expect((await service.reserve(menu.id, 'after')).status).toBe(200)
    expect(await service.ledger(menu.id)).toMatchObject({ stock: 8 })
  })
})
