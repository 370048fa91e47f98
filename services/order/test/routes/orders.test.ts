import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { errorBody, FLEET_START_MS, fleetTest, type TestFleet } from '../helpers/fleet.ts'

// The file's helpers share the fixture's fleet; the fixture closes it after the last test.
let fleet: TestFleet
fleetTest.beforeAll(({ fleet: started }) => {
  fleet = started
}, FLEET_START_MS)
afterEach(async () => {
  await Promise.all([fleet.order.call('DELETE', '/chaos'), fleet.user.call('DELETE', '/chaos')])
})

const ORDER_SHAPE = {
  id: expect.any(Number),
  user_id: expect.any(Number),
  total_price: expect.any(Number),
  status: expect.any(String),
  payment_status: expect.any(String),
  address: expect.any(String),
  phone: expect.any(String),
  created_at: expect.any(String),
  updated_at: expect.any(String),
  items: expect.any(Array),
}

describe('the original sample’s README flow: login → order → GET → cancel → re-order', () => {
  it('works end to end and keeps the stock right at every step', async () => {
    const menu = await fleet.restaurant.createMenu(10, 9000)
    const token = (
      await fleet.user.call('POST', '/login', {
        json: { username: (await fleet.user.createUser('flow-pass')).username, password: 'flow-pass' },
      })
    ).body.access_token
    const headers = { authorization: `Bearer ${token}` }

    const placed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 2 }])
    expect(placed.status).toBe(201)
    expect(placed.body).toMatchObject({
      ...ORDER_SHAPE,
      status: 'CONFIRMED',
      payment_status: 'paid',
      total_price: 18000,
      failure_reason: null,
      failure_message: null,
      items: [{ id: expect.any(Number), menu_id: menu.id, quantity: 2, price: 9000, name: 'Test menu' }],
    })
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(8)

    const first = await fleet.order.call('GET', `/orders/${placed.body.id}`, { headers })
    const second = await fleet.order.call('GET', `/orders/${placed.body.id}`, { headers })
    expect(first.body).toEqual(placed.body)
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['MISS', 'HIT'])

    const cancelled = await fleet.order.call('POST', `/orders/${placed.body.id}/cancel`, { headers })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', payment_status: 'refunded', stock_status: 'released' })
    // The original's answer, beside the order.
    expect(cancelled.body).toMatchObject({ message: 'Order cancelled successfully', order_id: placed.body.id })
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(10)
    // The cache was invalidated by the cancel: no stale CONFIRMED.
    const afterCancel = await fleet.order.call('GET', `/orders/${placed.body.id}`, { headers })
    expect(afterCancel.body.status).toBe('CANCELLED')

    const again = await fleet.order.call('POST', `/orders/${placed.body.id}/cancel`, { headers })
    expect(again.status).toBe(409)
    expect(again.body).toEqual(errorBody('ORDER_NOT_CANCELLABLE'))

    const reordered = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 3 }])
    expect(reordered.body.status).toBe('CONFIRMED')
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 7, reserved_units: 3 })

    const list = await fleet.order.call('GET', '/orders', { headers })
    expect(list.body).toMatchObject({ total: 2, limit: 20, offset: 0 })
    expect(list.body.orders.map((order: { id: number }) => order.id)).toEqual([reordered.body.id, placed.body.id])
  })
})

describe('POST /orders', () => {
  it('prices items at the restaurant and merges repeated menus', async () => {
    const [a, b] = [await fleet.restaurant.createMenu(10, 5000), await fleet.restaurant.createMenu(10, 7000)]
    const { headers } = await fleet.login()
    const response = await fleet.placeOrder(headers, [
      { menu_id: b.id, quantity: 1 },
      { menu_id: a.id, quantity: 1 },
      { menu_id: a.id, quantity: 2 },
    ])
    expect(response.body.total_price).toBe(3 * 5000 + 7000)
    expect(
      response.body.items.map((item: { menu_id: number; quantity: number }) => [item.menu_id, item.quantity]),
    ).toEqual([
      [a.id, 3],
      [b.id, 1],
    ])
  })

  it('answers a payment failure 201 FAILED and gives the stock back', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { headers } = await fleet.login()
    await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 100 } })
    const response = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 4 }])
    expect(response.status).toBe(201)
    expect(response.body).toMatchObject({
      status: 'FAILED',
      payment_status: 'failed',
      failure_reason: 'payment_failed',
      failure_message: 'The payment was declined',
      stock_status: 'released',
    })
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 10, reserved_units: 0 })
  })

  it('answers 409 OUT_OF_STOCK, and a multi-item order gives back what it had taken', async () => {
    const plenty = await fleet.restaurant.createMenu(10)
    const scarce = await fleet.restaurant.createMenu(1)
    const { headers } = await fleet.login()
    const response = await fleet.placeOrder(headers, [
      { menu_id: plenty.id, quantity: 3 },
      { menu_id: scarce.id, quantity: 2 },
    ])
    expect(response.status).toBe(409)
    expect(response.body).toEqual(errorBody('OUT_OF_STOCK'))
    expect(response.body.error.details).toMatchObject({ menu_id: scarce.id, available: 1, requested: 2 })
    expect(await fleet.restaurant.ledger(plenty.id)).toMatchObject({ stock: 10, reserved_units: 0 })
    expect(await fleet.restaurant.ledger(scarce.id)).toMatchObject({ stock: 1, reserved_units: 0 })
    const failed = await fleet.order.call('GET', `/orders/${response.body.error.details.order_id}`, { headers })
    expect(failed.body).toMatchObject({ status: 'FAILED', failure_reason: 'out_of_stock', stock_status: 'released' })
  })

  it('answers 409 STOCK_REFUSED, not 503, when the restaurant refuses the reservation, and takes nothing', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const db = new pg.Client({ connectionString: fleet.order.databaseUrl })
    await db.connect()
    try {
      const { rows } = await db.query<{ next: string }>(
        'SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS next FROM orders_id_seq',
      )
      // A restore that overtook the next order's reserve voided it: the restaurant will refuse it.
      expect((await fleet.restaurant.restore(menu.id, String(rows[0]?.next), 1)).body.outcome).toBe('voided')
      const { headers } = await fleet.login()
      const response = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])
      expect(response.status).toBe(409)
      expect(response.body).toEqual(errorBody('STOCK_REFUSED'))
      expect(response.body.error.details).toMatchObject({ refusal: 'RESERVATION_CLOSED' })
      const stored = await fleet.order.call('GET', `/orders/${response.body.error.details.order_id}`, { headers })
      expect(stored.body).toMatchObject({ status: 'FAILED', failure_reason: 'inventory_refused' })
      expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(10)
    } finally {
      await db.end()
    }
  })

  it('does not record units as given back when the restaurant refuses the restore: release_refused', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { headers } = await fleet.login()
    const placed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 2 }])
    expect(placed.body.status).toBe('CONFIRMED')
    // The two sides now disagree on the quantity (as after a hand edit): the restaurant refuses.
    const db = new pg.Client({ connectionString: fleet.order.databaseUrl })
    await db.connect()
    await db.query('UPDATE order_items SET quantity = 3 WHERE order_id = $1', [placed.body.id])
    await db.end()
    const cancelled = await fleet.order.call('POST', `/orders/${placed.body.id}/cancel`, { headers })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', stock_status: 'release_refused' })
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(8)
  })

  it('returns the same order for a repeated Idempotency-Key, never a half-made one', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { headers } = await fleet.login()
    const key = { 'idempotency-key': 'retry-me-1' }
    const attempts = await Promise.all(
      Array.from({ length: 3 }, () => fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }], key)),
    )
    // Each concurrent repeat is the finished order, or told the first is still running.
    for (const attempt of attempts) {
      if (attempt.status === 409) expect(attempt.body).toEqual(errorBody('IDEMPOTENCY_KEY_IN_USE'))
      else expect(attempt.body).toMatchObject({ status: 'CONFIRMED' })
    }
    const placed = attempts.filter((attempt) => attempt.status === 201)
    expect(placed.length).toBeGreaterThanOrEqual(1)
    const later = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }], key)
    expect(new Set([...placed, later].map((attempt) => attempt.body.id)).size).toBe(1)
    expect(later.headers.get('idempotent-replayed')).toBe('true')
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(9)
  })

  it('answers 422 IDEMPOTENCY_KEY_REUSED when the key comes back with another request', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { headers } = await fleet.login()
    const key = { 'idempotency-key': 'one-key-two-orders' }
    expect((await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }], key)).status).toBe(201)
    const other = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 3 }], key)
    expect(other.status).toBe(422)
    expect(other.body).toEqual(errorBody('IDEMPOTENCY_KEY_REUSED'))
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(9)
  })

  it('lets a key whose first try failed out of stock be retried, placing the order anew', async () => {
    const menu = await fleet.restaurant.createMenu(1)
    const { headers } = await fleet.login()
    const key = { 'idempotency-key': 'try-again-later' }
    const first = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 2 }], key)
    expect(first.status).toBe(409)
    expect(first.body).toEqual(errorBody('OUT_OF_STOCK'))
    await fleet.restaurant.pool.query('UPDATE menus SET stock = 5 WHERE id = $1', [menu.id]) // restocked
    const retried = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 2 }], key)
    expect(retried.status).toBe(201)
    expect(retried.body).toMatchObject({ status: 'CONFIRMED' })
    expect(retried.body.id).not.toBe(first.body.error.details.order_id)
    const again = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 2 }], key)
    expect(again.body.id).toBe(retried.body.id)
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(3)
  })

  it('fails fast with 504 and touches no stock when the user service is slower than its timeout', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { headers } = await fleet.login()
    await fleet.user.call('POST', '/chaos/delay', { json: { delay_ms: 2000 } })
    const response = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])
    expect(response.status).toBe(504)
    expect(response.body).toEqual(errorBody('DEPENDENCY_TIMEOUT'))
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 10, reserved_units: 0 })
  })

  it('answers 401 for a missing or bad token', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const missing = await fleet.placeOrder({}, [{ menu_id: menu.id, quantity: 1 }])
    expect(missing.status).toBe(401)
    expect(missing.body).toEqual(errorBody('TOKEN_MISSING'))
    const bad = await fleet.placeOrder({ authorization: 'Bearer not-a-token' }, [{ menu_id: menu.id, quantity: 1 }])
    expect(bad.status).toBe(401)
    expect(bad.body).toEqual(errorBody('TOKEN_INVALID'))
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(10)
  })

  it('cancels with Content-Type: application/json and an empty body, as the original’s load script sends', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { headers } = await fleet.login()
    const placed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])
    const cancelled = await fleet.order.call('POST', `/orders/${placed.body.id}/cancel`, {
      headers: { ...headers, 'content-type': 'application/json' },
      body: '',
    })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', stock_status: 'released' })
  })

  it('answers 400 ORDER_TOTAL_TOO_LARGE for a total beyond what an order can hold, and takes no stock', async () => {
    const menus = await Promise.all([1, 2, 3].map(() => fleet.restaurant.createMenu(500, 10_000_000)))
    const { headers } = await fleet.login()
    const response = await fleet.placeOrder(
      headers,
      menus.map((menu) => ({ menu_id: menu.id, quantity: 99 })),
    )
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('ORDER_TOTAL_TOO_LARGE'))
    expect(response.body.error.details).toEqual({ total_price: 2_970_000_000, max_total_price: 2_147_483_647 })
    for (const menu of menus) expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(500)
    expect((await fleet.order.call('GET', '/orders', { headers })).body).toMatchObject({ orders: [], total: 0 })
  })

  it('answers 400 UNKNOWN_MENU for a menu that does not exist', async () => {
    const { headers } = await fleet.login()
    const response = await fleet.placeOrder(headers, [{ menu_id: 999999, quantity: 1 }])
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('UNKNOWN_MENU'))
  })

  it.each([
    ['no items', { items: [], address: 'a', phone: '010-1234-5678' }],
    [
      '21 items',
      {
        items: Array.from({ length: 21 }, (_, i) => ({ menu_id: i + 1, quantity: 1 })),
        address: 'a',
        phone: '010-1234-5678',
      },
    ],
    ['quantity 0', { items: [{ menu_id: 1, quantity: 0 }], address: 'a', phone: '010-1234-5678' }],
    ['quantity 100', { items: [{ menu_id: 1, quantity: 100 }], address: 'a', phone: '010-1234-5678' }],
    ['a quantity as a string', { items: [{ menu_id: 1, quantity: '1' }], address: 'a', phone: '010-1234-5678' }],
    ['no address', { items: [{ menu_id: 1, quantity: 1 }], phone: '010-1234-5678' }],
    [
      'an address over 200 characters',
      { items: [{ menu_id: 1, quantity: 1 }], address: 'x'.repeat(201), phone: '010-1234-5678' },
    ],
    ['a phone with letters', { items: [{ menu_id: 1, quantity: 1 }], address: 'a', phone: 'call me' }],
    [
      'an address with a NUL character',
      { items: [{ menu_id: 1, quantity: 1 }], address: 'a\u0000b', phone: '010-1234-5678' },
    ],
  ])('answers 400 VALIDATION_ERROR for %s', async (_case, json) => {
    const { headers } = await fleet.login()
    const response = await fleet.order.call('POST', '/orders', { headers, json })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'))
  })

  it('answers 400 for merged quantities over 99 and for a malformed Idempotency-Key', async () => {
    const { headers } = await fleet.login()
    const merged = await fleet.placeOrder(headers, [
      { menu_id: 1, quantity: 60 },
      { menu_id: 1, quantity: 60 },
    ])
    expect(merged.status).toBe(400)
    expect(merged.body).toEqual(errorBody('QUANTITY_TOO_LARGE'))
    const badKey = await fleet.placeOrder(headers, [{ menu_id: 1, quantity: 1 }], { 'idempotency-key': 'has spaces' })
    expect(badKey.status).toBe(400)
    expect(badKey.body).toEqual(errorBody('VALIDATION_ERROR'))
  })
})

describe('reading and cancelling: owner only', () => {
  it('answers 404 to another user, for GET and for cancel', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const owner = await fleet.login()
    const stranger = await fleet.login()
    const placed = await fleet.placeOrder(owner.headers, [{ menu_id: menu.id, quantity: 1 }])
    const read = await fleet.order.call('GET', `/orders/${placed.body.id}`, { headers: stranger.headers })
    expect(read.status).toBe(404)
    expect(read.body).toEqual(errorBody('ORDER_NOT_FOUND'))
    const cancel = await fleet.order.call('POST', `/orders/${placed.body.id}/cancel`, { headers: stranger.headers })
    expect(cancel.status).toBe(404)
    expect((await fleet.restaurant.ledger(menu.id)).stock).toBe(9)
  })

  it('restores the stock once when the same order is cancelled concurrently', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { headers } = await fleet.login()
    const placed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 5 }])
    const cancels = await Promise.all(
      Array.from({ length: 5 }, () => fleet.order.call('POST', `/orders/${placed.body.id}/cancel`, { headers })),
    )
    expect(cancels.map((cancel) => cancel.status).sort()).toEqual([200, 409, 409, 409, 409])
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 10, reserved_units: 0, restored_units: 5 })
  })

  it('cancels a FAILED order as the original does (200 CANCELLED), giving back nothing more', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { headers } = await fleet.login()
    await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 100 } })
    const failed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 4 }])
    expect(failed.body).toMatchObject({ status: 'FAILED', stock_status: 'released' })
    const before = await fleet.restaurant.ledger(menu.id)
    expect(before).toMatchObject({ stock: 10, reserved_units: 0, restored_units: 4 })

    const cancel = await fleet.order.call('POST', `/orders/${failed.body.id}/cancel`, { headers })
    expect(cancel.status).toBe(200)
    // Never charged, so not refunded; the failure it had stays readable.
    expect(cancel.body).toMatchObject({
      status: 'CANCELLED',
      payment_status: 'failed',
      stock_status: 'released',
      failure_reason: 'payment_failed',
      message: 'Order cancelled successfully',
    })
    expect(await fleet.restaurant.ledger(menu.id)).toEqual(before)
    expect((await fleet.order.call('GET', `/orders/${failed.body.id}`, { headers })).body.status).toBe('CANCELLED')
    const again = await fleet.order.call('POST', `/orders/${failed.body.id}/cancel`, { headers })
    expect(again.status).toBe(409)
    expect(again.body).toEqual(errorBody('ORDER_NOT_CANCELLABLE'))
  })

  it('answers 404 to another user cancelling a FAILED order, and leaves it FAILED', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const owner = await fleet.login()
    const stranger = await fleet.login()
    await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 100 } })
    const failed = await fleet.placeOrder(owner.headers, [{ menu_id: menu.id, quantity: 1 }])
    const cancel = await fleet.order.call('POST', `/orders/${failed.body.id}/cancel`, { headers: stranger.headers })
    expect(cancel.status).toBe(404)
    expect((await fleet.order.call('GET', `/orders/${failed.body.id}`, { headers: owner.headers })).body.status).toBe(
      'FAILED',
    )
  })

  it.each(['abc', '0'])('answers 400 for the order id %s', async (id) => {
    const { headers } = await fleet.login()
    expect((await fleet.order.call('GET', `/orders/${id}`, { headers })).status).toBe(400)
  })
})
