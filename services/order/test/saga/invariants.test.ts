import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { FLEET_START_MS, fleetTest, type TestFleet } from '../helpers/fleet.ts'

// Generous timeouts: these tests count outcomes, and a noisy machine must not turn one into a 504.
fleetTest.override('fleetEnv', { order: { USER_TIMEOUT_MS: '5000', RESTAURANT_TIMEOUT_MS: '10000' } })
// The file's helpers share the fixture's fleet; the fixture closes it after the last test.
let fleet: TestFleet
let orderDb: pg.Pool
fleetTest.beforeAll(({ fleet: started }) => {
  fleet = started
  orderDb = new pg.Pool({ connectionString: fleet.order.databaseUrl, max: 2 })
  // Its idle connections are ended by the database's drop at teardown if they are slow to close.
  orderDb.on('error', () => {})
}, FLEET_START_MS)
afterAll(() => orderDb.end())
afterEach(() => fleet.order.call('DELETE', '/chaos'))

/** Units sold = units in CONFIRMED orders of this menu, read from the order service's own database. */
async function confirmedUnits(menuId: number): Promise<number> {
  const { rows } = await orderDb.query<{ units: string }>(
    `SELECT COALESCE(SUM(i.quantity), 0) AS units FROM order_items i JOIN orders o ON o.id = i.order_id
     WHERE i.menu_id = $1 AND o.status = 'CONFIRMED'`,
    [menuId],
  )
  return Number(rows[0]?.units)
}

async function unsettledOrders(): Promise<number> {
  const { rows } = await orderDb.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM orders WHERE status = 'PENDING' OR stock_status IN ('reserving', 'reserved', 'releasing')`,
  )
  return rows[0]?.n ?? -1
}

describe('invariants under load', () => {
  it('payment failing 30% over 200 orders: stock + confirmed units = initial, nothing left PENDING', async () => {
    const menu = await fleet.restaurant.createMenu(1000)
    const { headers } = await fleet.login()
    await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 30 } })
    const statuses: string[] = []
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])),
      )
      statuses.push(...responses.map((response) => `${response.status} ${response.body.status}`))
    }
    const confirmed = statuses.filter((status) => status === '201 CONFIRMED').length
    const failed = statuses.filter((status) => status === '201 FAILED').length
    expect(confirmed + failed).toBe(200)
    // 30% of 200: outside 25..95 failures has a probability far below 1e-9.
    expect(failed).toBeGreaterThan(25)
    expect(failed).toBeLessThan(95)
    const ledger = await fleet.restaurant.ledger(menu.id)
    expect(ledger.stock + (await confirmedUnits(menu.id))).toBe(1000)
    expect(ledger.stock + ledger.reserved_units).toBe(1000)
    expect(await unsettledOrders()).toBe(0)
  })

  it('100 concurrent orders on a menu with stock 50 sell exactly 50 units', async () => {
    const menu = await fleet.restaurant.createMenu(50)
    const users = await Promise.all(Array.from({ length: 10 }, () => fleet.login()))
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fleet.placeOrder((users[i % users.length] as (typeof users)[number]).headers, [
          { menu_id: menu.id, quantity: 1 },
        ]),
      ),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(50)
    expect(statuses.filter((status) => status === 409)).toHaveLength(50)
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 0, reserved_units: 50 })
    expect(await confirmedUnits(menu.id)).toBe(50)
    expect(await unsettledOrders()).toBe(0)
  })
})

describe('when the compensation itself fails', () => {
  it('retries, leaves the rest to the recoverer, and conserves the stock', async () => {
    const menu = await fleet.restaurant.createMenu(20)
    const { headers } = await fleet.login()
    await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 100 } })
    await fleet.order.call('POST', '/chaos/restore_fail', { json: { fail_percent: 100 } })
    const response = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 5 }])
    expect(response.status).toBe(201)
    expect(response.body).toMatchObject({ status: 'FAILED', payment_status: 'failed', stock_status: 'releasing' })
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(15) // still held: the restores failed
    expect(await fleet.order.metrics()).toMatch(/order_stock_releases_total\{outcome="deferred",service="order"\} 1/)

    await fleet.order.call('DELETE', '/chaos')
    // Make the scheduled retry due now instead of waiting for its backoff.
    await orderDb.query('UPDATE orders SET next_attempt_at = now() WHERE id = $1', [response.body.id])
    expect(await fleet.order.app.recoverer.runOnce()).toBe(1)
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 20, reserved_units: 0 })
    const after = await fleet.order.call('GET', `/orders/${response.body.id}`, { headers })
    expect(after.body).toMatchObject({ status: 'FAILED', stock_status: 'released' })
  })
})

describe('a FAILED order cancelled while its compensation is still due', () => {
  it('is CANCELLED at once, and the recoverer gives its units back once', async () => {
    const menu = await fleet.restaurant.createMenu(20)
    const { headers } = await fleet.login()
    await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 100 } })
    await fleet.order.call('POST', '/chaos/restore_fail', { json: { fail_percent: 100 } })
    const failed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 5 }])
    expect(failed.body).toMatchObject({ status: 'FAILED', stock_status: 'releasing' })
    await fleet.order.call('DELETE', '/chaos')

    const cancel = await fleet.order.call('POST', `/orders/${failed.body.id}/cancel`, { headers })
    expect(cancel.status).toBe(200)
    expect(cancel.body).toMatchObject({ status: 'CANCELLED', stock_status: 'releasing' })
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(15) // the cancel itself gave nothing back

    await orderDb.query('UPDATE orders SET next_attempt_at = now() WHERE id = $1', [failed.body.id])
    expect(await fleet.order.app.recoverer.runOnce()).toBe(1)
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 20, reserved_units: 0, restored_units: 5 })
    const after = await fleet.order.call('GET', `/orders/${failed.body.id}`, { headers })
    expect(after.body).toMatchObject({ status: 'CANCELLED', stock_status: 'released' })
  })
})

describe('recovery after a crash mid-saga', () => {
  /** What a process killed after reserving leaves behind: a PENDING order holding stock. */
  async function abandonedOrder(menuId: number, userId: number, quantity: number, ageSeconds: number) {
    const { rows } = await orderDb.query<{ id: number }>(
      `INSERT INTO orders (user_id, status, payment_status, stock_status, total_price, address, phone, updated_at)
       VALUES ($1, 'PENDING', 'pending', 'reserved', 0, 'a', '010-0000-0000', now() - make_interval(secs => $2))
       RETURNING id`,
      [userId, ageSeconds],
    )
    const id = rows[0]?.id as number
    await orderDb.query(
      `INSERT INTO order_items (order_id, menu_id, quantity, price, name) VALUES ($1, $2, $3, 9000, 'Test menu')`,
      [id, menuId, quantity],
    )
    expect((await fleet.restaurant.reserve(menuId, String(id), quantity)).status).toBe(200)
    return id
  }

  it('fails an abandoned PENDING order past the timeout and gives its stock back; a fresh one is left alone', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { userId, headers } = await fleet.login()
    const stale = await abandonedOrder(menu.id, userId, 3, 120)
    const fresh = await abandonedOrder(menu.id, userId, 2, 0)
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(5)

    expect(await fleet.order.app.recoverer.runOnce()).toBe(1)
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 8, reserved_units: 2 })
    const recovered = await fleet.order.call('GET', `/orders/${stale}`, { headers })
    expect(recovered.body).toMatchObject({ status: 'FAILED', failure_reason: 'abandoned', stock_status: 'released' })
    expect((await fleet.order.call('GET', `/orders/${fresh}`, { headers })).body.status).toBe('PENDING')
  })

  it('is safe with several recoverers at once: each order is released exactly once', async () => {
    const menu = await fleet.restaurant.createMenu(100)
    const { userId } = await fleet.login()
    const ids = await Promise.all(Array.from({ length: 30 }, () => abandonedOrder(menu.id, userId, 2, 120)))
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(40)
    const claimed = await Promise.all(Array.from({ length: 4 }, () => fleet.order.app.recoverer.runOnce()))
    // Every abandoned order claimed once in all (batches of 20: a second round picks up the rest).
    const total = claimed.reduce((sum, n) => sum + n, 0) + (await fleet.order.app.recoverer.runOnce())
    expect(total).toBe(30)
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 100, reserved_units: 0, restored_units: 60 })
    const { rows } = await orderDb.query(`SELECT DISTINCT status, stock_status FROM orders WHERE id = ANY($1)`, [ids])
    expect(rows).toEqual([{ status: 'FAILED', stock_status: 'released' }])
  })

  it('bars a reserve that arrives after the recoverer gave the order up', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { userId } = await fleet.login()
    const { rows } = await orderDb.query<{ id: number }>(
      `INSERT INTO orders (user_id, status, payment_status, stock_status, total_price, address, phone, updated_at)
       VALUES ($1, 'PENDING', 'pending', 'reserving', 0, 'a', '010-0000-0000', now() - interval '2 minutes') RETURNING id`,
      [userId],
    )
    const id = rows[0]?.id as number
    await orderDb.query(
      `INSERT INTO order_items (order_id, menu_id, quantity, price, name) VALUES ($1, $2, 4, 1, 'x')`,
      [id, menu.id],
    )
    // The crash happened before the reserve reached the restaurant; the recoverer voids it.
    await fleet.order.app.recoverer.runOnce()
    const late = await fleet.restaurant.reserve(menu.id, String(id), 4)
    expect(late.status).toBe(409)
    expect(late.body.error.code).toBe('RESERVATION_CLOSED')
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(10)
  })
})
