import { describe, expect } from 'vitest'
import { errorBody, FLEET_START_MS, fleetTest as test } from '../helpers/fleet.ts'

// The connection leak drains the pool the saga's own queries use (services/user/test/chaos-resources.test.ts
// measures every resource fault in depth; here, the order service's requests meet it).
test.override('fleetEnv', { order: { DATABASE_POOL_MAX: '3', DATABASE_POOL_TIMEOUT_MS: '1500' } })
test.beforeAll(({ fleet }) => fleet.order.call('GET', '/chaos'), FLEET_START_MS)

const POLL = { interval: 50, timeout: 10_000 }

/** One series' value in Prometheus' text format (the first of that name). */
const metricValue = (text: string, name: string) => {
  const line = text.split('\n').find((each) => each.startsWith(`${name}{`) || each.startsWith(`${name} `))
  if (!line) throw new Error(`no series ${name} in /metrics`)
  return Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('the order service’s resource faults', () => {
  test('has cpu_hog, memory_leak and connection_leak among its switches', async ({ fleet }) => {
    const { available } = (await fleet.order.call('GET', '/chaos')).body
    expect(available.map((fault: { name: string }) => fault.name)).toEqual(
      expect.arrayContaining(['payment_fail', 'restore_fail', 'cpu_hog', 'memory_leak', 'connection_leak']),
    )
  })

  test('connection_leak: orders wait for a connection then fail 503 DATABASE_BUSY, and are placed again once it is cleared', async ({
    fleet,
  }) => {
    const read = async (name: string) => metricValue(await (await fetch(`${fleet.order.baseUrl}/metrics`)).text(), name)
    const menu = await fleet.restaurant.createMenu(10)
    const { headers } = await fleet.login()
    expect((await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])).status).toBe(201)

    await fleet.order.call('POST', '/chaos/connection_leak', { json: { connections_per_s: 10, ttl_s: 60 } })
    await expect.poll(() => read('chaos_connection_leak_held_connections'), POLL).toBe(3)
    const placing = fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])
    await expect.poll(() => read('database_pool_waiting_requests'), POLL).toBeGreaterThanOrEqual(1)
    const refused = await placing
    expect(refused.status).toBe(503)
    expect(refused.body).toEqual(errorBody('DATABASE_BUSY'))
    // Refused before the saga reserved anything: only the first order's unit is out.
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 9 })

    await fleet.order.call('DELETE', '/chaos')
    await expect.poll(() => read('chaos_connection_leak_held_connections'), POLL).toBe(0)
    const placed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])
    expect(placed.status).toBe(201)
    expect(placed.body).toMatchObject({ status: 'CONFIRMED' })
    await expect.poll(() => read('database_connections_active'), POLL).toBe(0)
  })
})
