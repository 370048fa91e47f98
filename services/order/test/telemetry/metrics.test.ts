import { describe, expect, it } from 'vitest'
import { FLEET_START_MS, fleetTest, type TestFleet } from '../helpers/fleet.ts'

/** The value of one series in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue
    const matches = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))
    if (matches) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return undefined
}

describe('metrics move with the traffic', () => {
  let fleet: TestFleet
  let menuId: number
  fleetTest.beforeAll(async ({ fleet: started }) => {
    fleet = started
    menuId = (await fleet.restaurant.createMenu(50)).id
    const { headers } = await fleet.login()
    for (let i = 0; i < 3; i++) await fleet.placeOrder(headers, [{ menu_id: menuId, quantity: 1 }])
    await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 100 } })
    const failed = await fleet.placeOrder(headers, [{ menu_id: menuId, quantity: 2 }])
    await fleet.order.call('GET', `/orders/${failed.body.id}`, { headers })
  }, FLEET_START_MS)

  it('order: outcomes by status and reason, saga steps, releases, calls to other services', async () => {
    const text = await fleet.order.metrics()
    expect(sample(text, 'orders_total', { status: 'CONFIRMED', reason: 'none' })).toBe(3)
    expect(sample(text, 'orders_total', { status: 'FAILED', reason: 'payment_failed' })).toBe(1)
    expect(sample(text, 'order_saga_step_duration_seconds_count', { step: 'reserve_stock', outcome: 'ok' })).toBe(4)
    expect(sample(text, 'order_stock_releases_total', { outcome: 'released' })).toBe(1)
    expect(
      sample(text, 'http_client_request_duration_seconds_count', {
        target: 'restaurant',
        method: 'PUT',
        status_code: '200',
      }),
    ).toBe(5) // 4 reserves and 1 restore
    expect(
      sample(text, 'http_client_request_duration_seconds_count', { target: 'user', method: 'POST' }),
    ).toBeGreaterThan(4)
    expect(sample(text, 'chaos_injections_total', { fault: 'payment_fail' })).toBe(1)
    expect(sample(text, 'chaos_fault_value', { fault: 'payment_fail' })).toBe(100)
    expect(sample(text, 'cache_lookups_total', { cache: 'order', result: 'miss' })).toBe(1)
    expect(sample(text, 'http_server_request_duration_seconds_count', { route: '/orders', status_code: '201' })).toBe(4)
  })

  it('restaurant: stock per menu, changes by outcome and strategy, lock wait', async () => {
    const text = await fleet.restaurant.metrics()
    expect(sample(text, 'inventory_stock_units', { menu: String(menuId) })).toBe(47)
    expect(
      sample(text, 'inventory_changes_total', { operation: 'reserve', outcome: 'reserved', strategy: 'pessimistic' }),
    ).toBe(4)
    expect(sample(text, 'inventory_lock_wait_seconds_count', { strategy: 'pessimistic' })).toBeGreaterThanOrEqual(5)
  })

  it('follows Prometheus naming: no ids or raw URLs in labels', async () => {
    for (const text of [await fleet.order.metrics(), await fleet.restaurant.metrics(), await fleet.user.metrics()]) {
      expect(text).not.toMatch(/route="\/orders\/\d/)
      expect(text).not.toMatch(/order_id=|user_id=|request_id=/)
    }
  })
})
