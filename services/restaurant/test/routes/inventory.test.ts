import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { errorBody, startRestaurantService, type TestRestaurantService } from '../helpers/restaurant-service.ts'

let service: TestRestaurantService
beforeAll(async () => {
  service = await startRestaurantService()
})
afterAll(() => service.close())

describe('PUT /inventory/{menuId}: reserve', () => {
  it('takes the quantity and answers the new stock', async () => {
    const menu = await service.createMenu(10)
    const response = await service.reserve(menu.id, 'order-1', 3)
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      menu_id: menu.id,
      restaurant_id: menu.restaurantId,
      order_id: 'order-1',
      operation: 'reserve',
      outcome: 'reserved',
      moved: 3,
      stock: 7,
    })
  })

  it('answers a repeated reserve of one order as a replay, taking nothing more', async () => {
    const menu = await service.createMenu(10)
    await service.reserve(menu.id, 'order-2', 4)
    const again = await service.reserve(menu.id, 'order-2', 4)
    expect(again.body).toMatchObject({ outcome: 'replayed', moved: 0, stock: 6 })
    expect(await service.ledger(menu.id)).toMatchObject({ stock: 6, reserved_units: 4, open_reservations: 1 })
  })

  it('refuses to take more than the stock, and changes nothing', async () => {
    const menu = await service.createMenu(2)
    const response = await service.reserve(menu.id, 'order-3', 3)
    expect(response.status).toBe(409)
    expect(response.body).toEqual(errorBody('INSUFFICIENT_STOCK'))
    expect(response.body.error.details).toEqual({ menu_id: menu.id, available: 2, requested: 3 })
    expect(await service.ledger(menu.id)).toMatchObject({ stock: 2, reserved_units: 0, open_reservations: 0 })
  })

  it('refuses a second reserve of one order with another quantity', async () => {
    const menu = await service.createMenu(10)
    await service.reserve(menu.id, 'order-4', 1)
    const response = await service.reserve(menu.id, 'order-4', 2)
    expect(response.status).toBe(409)
    expect(response.body).toEqual(errorBody('RESERVATION_MISMATCH'))
    expect((await service.ledger(menu.id)).stock).toBe(9)
  })
})

describe('PUT /inventory/{menuId}: restore', () => {
  it('gives back exactly what the order reserved, once', async () => {
    const menu = await service.createMenu(10)
    await service.reserve(menu.id, 'order-5', 4)
    const first = await service.restore(menu.id, 'order-5', 4)
    const second = await service.restore(menu.id, 'order-5', 4)
    expect(first.body).toMatchObject({ outcome: 'restored', moved: 4, stock: 10 })
    expect(second.body).toMatchObject({ outcome: 'replayed', moved: 0, stock: 10 })
    expect(await service.ledger(menu.id)).toMatchObject({ stock: 10, reserved_units: 0, restored_units: 4 })
  })

  it('gives nothing for an order that never reserved, and bars its late reserve', async () => {
    const menu = await service.createMenu(10)
    const restore = await service.restore(menu.id, 'order-6', 2)
    expect(restore.body).toMatchObject({ outcome: 'voided', moved: 0, stock: 10 })
    const lateReserve = await service.reserve(menu.id, 'order-6', 2)
    expect(lateReserve.status).toBe(409)
    expect(lateReserve.body).toEqual(errorBody('RESERVATION_CLOSED'))
    expect((await service.ledger(menu.id)).stock).toBe(10)
  })

  it('refuses to reserve again after a restore', async () => {
    const menu = await service.createMenu(10)
    await service.reserve(menu.id, 'order-7', 1)
    await service.restore(menu.id, 'order-7', 1)
    const again = await service.reserve(menu.id, 'order-7', 1)
    expect(again.status).toBe(409)
    expect(again.body).toEqual(errorBody('RESERVATION_CLOSED'))
  })

  it('refuses a restore with another quantity than reserved', async () => {
    const menu = await service.createMenu(10)
    await service.reserve(menu.id, 'order-8', 3)
    const response = await service.restore(menu.id, 'order-8', 5)
    expect(response.status).toBe(409)
    expect(response.body).toEqual(errorBody('RESERVATION_MISMATCH'))
    expect((await service.ledger(menu.id)).stock).toBe(7)
  })
})

describe('the internal routes: only for the fleet’s services', () => {
  it.each([
    ['no credential', { authorization: '' }],
    ['a user’s kind of token', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' }],
    ['another secret', { authorization: 'Bearer dev-only-service-token-between-the-fleet-servicez' }],
    ['the token without Bearer', { authorization: 'dev-only-service-token-between-the-fleet-services' }],
  ])('answer 401 SERVICE_TOKEN_INVALID to %s, and change nothing', async (_case, headers: Record<string, string>) => {
    const menu = await service.createMenu(5)
    const reserve = await service.call('PUT', `/inventory/${menu.id}`, {
      headers,
      json: { order_id: 'intruder', quantity: 5, operation: 'reserve' },
    })
    expect(reserve.status).toBe(401)
    expect(reserve.body).toEqual(errorBody('SERVICE_TOKEN_INVALID'))
    const created = await service.call('POST', '/menus', {
      headers,
      json: { restaurant_id: menu.restaurantId, name: 'free food', price: 0, stock: 1000 },
    })
    expect(created.status).toBe(401)
    expect(await service.ledger(menu.id)).toMatchObject({ stock: 5, reserved_units: 0 })
    expect((await service.call('GET', `/menus?restaurant_id=${menu.restaurantId}`)).body).toHaveLength(1)
  })

  it('leave reading the stock open (GET /inventory/{menuId})', async () => {
    const menu = await service.createMenu(5)
    expect((await service.call('GET', `/inventory/${menu.id}`)).status).toBe(200)
  })
})

describe('POST /inventory/restock', () => {
  it('sets the stock of the menus named back, orders’ reservations untouched, and the cached menu shows it at once', async () => {
    const menu = await service.createMenu(10)
    const other = await service.createMenu(7)
    await service.reserve(menu.id, 'restock-1', 10)
    expect((await service.call('GET', `/menus/${menu.id}`)).body.stock).toBe(0) // now cached
    const response = await service.call('POST', '/inventory/restock', { json: { stock: 100, menu_ids: [menu.id] } })
    expect(response).toMatchObject({ status: 200, body: { restocked: 1, stock: 100, menu_ids: [menu.id] } })
    expect(await service.ledger(menu.id)).toMatchObject({ stock: 100, reserved_units: 10, open_reservations: 1 })
    expect((await service.call('GET', `/menus/${menu.id}`)).body.stock).toBe(100)
    expect((await service.ledger(other.id)).stock).toBe(7)
    // The order that held units can still give them back, once.
    expect((await service.restore(menu.id, 'restock-1', 10)).body).toMatchObject({ outcome: 'restored', stock: 110 })
  })

  it('sets every menu when none is named, to the dev seed’s 100 unless told', async () => {
    const menu = await service.createMenu(3)
    const response = await service.call('POST', '/inventory/restock', { json: {} })
    expect(response.body).toMatchObject({ stock: 100 })
    expect(response.body.menu_ids).toContain(menu.id)
    expect((await service.ledger(menu.id)).stock).toBe(100)
  })

  it('leaves the load kitchen’s menus alone when no menu is named, and restocks one when named', async () => {
    const shop = await service.createMenu(3)
    const kitchen = (await service.call('POST', '/restaurants/load-kitchen')).body.id
    const made = await service.call('POST', '/menus', {
      json: { restaurant_id: kitchen, name: 'load restock-test abc123', price: 1000, stock: 7 },
    })
    const all = await service.call('POST', '/inventory/restock', { json: {} })
    expect(all.body.menu_ids).toContain(shop.id)
    expect(all.body.menu_ids).not.toContain(made.body.id)
    expect((await service.ledger(made.body.id)).stock).toBe(7)
    const named = await service.call('POST', '/inventory/restock', { json: { stock: 50, menu_ids: [made.body.id] } })
    expect(named.body).toMatchObject({ restocked: 1, menu_ids: [made.body.id] })
    expect((await service.ledger(made.body.id)).stock).toBe(50)
  })

  it('answers 404 MENU_NOT_FOUND naming the menus that do not exist, and sets none of the others', async () => {
    const menu = await service.createMenu(4)
    const one = await service.call('POST', '/inventory/restock', { json: { menu_ids: [999_999] } })
    expect(one).toMatchObject({ status: 404, body: errorBody('MENU_NOT_FOUND') })
    expect(one.body.detail).toBe('No such menu: 999999 (nothing restocked)')
    expect(one.body.error.details).toEqual({ menu_ids: [999_999] })
    const mixed = await service.call('POST', '/inventory/restock', { json: { menu_ids: [menu.id, 999_998, 999_999] } })
    expect(mixed.body.detail).toBe('No such menus: 999998, 999999 (nothing restocked)')
    expect((await service.ledger(menu.id)).stock).toBe(4)
  })

  it('needs the service token, and refuses a bad body in the fleet’s shape', async () => {
    const menu = await service.createMenu(4)
    const intruder = await service.call('POST', '/inventory/restock', {
      headers: { authorization: 'Bearer nope' },
      json: { stock: 1000 },
    })
    expect(intruder).toMatchObject({ status: 401, body: errorBody('SERVICE_TOKEN_INVALID') })
    for (const json of [{ stock: -1 }, { stock: 'lots' }, { stock: 5, menu_ids: [] }, { stok: 5 }]) {
      const response = await service.call('POST', '/inventory/restock', { json })
      expect(response).toMatchObject({ status: 400, body: errorBody('VALIDATION_ERROR') })
    }
    expect((await service.ledger(menu.id)).stock).toBe(4)
  })
})

describe('PUT /inventory/{menuId}: bad input', () => {
  it('answers 404 MENU_NOT_FOUND for an unknown menu, for both operations', async () => {
    for (const operation of ['reserve', 'restore'] as const) {
      const response = await service.call('PUT', '/inventory/999999', {
        json: { order_id: 'order-9', quantity: 1, operation },
      })
      expect(response.status).toBe(404)
      expect(response.body).toEqual(errorBody('MENU_NOT_FOUND'))
    }
  })

  it.each([
    ['quantity 0', { order_id: 'o', quantity: 0, operation: 'reserve' }],
    ['a negative quantity', { order_id: 'o', quantity: -1, operation: 'reserve' }],
    ['a quantity over 1000', { order_id: 'o', quantity: 1001, operation: 'reserve' }],
    ['a fractional quantity', { order_id: 'o', quantity: 1.5, operation: 'reserve' }],
    ['a quantity as a string', { order_id: 'o', quantity: '2', operation: 'reserve' }],
    ['no order_id', { quantity: 1, operation: 'reserve' }],
    ['an order_id with spaces', { order_id: 'a b', quantity: 1, operation: 'reserve' }],
    ['an order_id over 64 characters', { order_id: 'x'.repeat(65), quantity: 1, operation: 'reserve' }],
    ['an unknown operation', { order_id: 'o', quantity: 1, operation: 'steal' }],
    ['no operation', { order_id: 'o', quantity: 1 }],
  ])('answers 400 VALIDATION_ERROR for %s', async (_case, json) => {
    const menu = await service.createMenu(5)
    const response = await service.call('PUT', `/inventory/${menu.id}`, { json })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'))
    expect((await service.ledger(menu.id)).stock).toBe(5)
  })

  it.each(['abc', '0', '1.5'])('answers 400 for the menu id %s', async (menuId) => {
    const response = await service.call('PUT', `/inventory/${menuId}`, {
      json: { order_id: 'o', quantity: 1, operation: 'reserve' },
    })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'))
  })

  it('answers 400 INVALID_JSON for a body that is not JSON', async () => {
    const response = await service.call('PUT', '/inventory/1', {
      headers: { 'content-type': 'application/json' },
      body: '{"order_id": ',
    })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('INVALID_JSON'))
  })
})

describe('GET /inventory/{menuId}', () => {
  it('answers 404 for an unknown menu', async () => {
    const response = await service.call('GET', '/inventory/999999')
    expect(response.status).toBe(404)
    expect(response.body).toEqual(errorBody('MENU_NOT_FOUND'))
  })
})

describe('chaos: inventory_delay', () => {
  afterEach(() => service.call('DELETE', '/chaos'))

  it('shows the locking strategy in GET /chaos', async () => {
    const response = await service.call('GET', '/chaos')
    expect(response.body.experiment).toEqual({
      stock_lock_strategy: 'pessimistic',
      menu_cache: true,
      menu_near_cache_entries: 1000,
    })
    expect(response.body.available).toContainEqual({
      name: 'inventory_delay',
      route: '/chaos/inventory_delay',
      field: 'delay_ms',
    })
  })

  it('holds the row lock for delay_ms, so concurrent reserves of one menu queue', async () => {
    const menu = await service.createMenu(10)
    const set = await service.call('POST', '/chaos/inventory_delay', { json: { delay_ms: 300 } })
    expect(set.status).toBe(200)
    const started = performance.now()
    const responses = await Promise.all([service.reserve(menu.id, 'slow-1'), service.reserve(menu.id, 'slow-2')])
    expect(responses.map((response) => response.status)).toEqual([200, 200])
    // Serialised behind one lock: the second waits for the first's 300 ms, then its own.
    expect(performance.now() - started).toBeGreaterThanOrEqual(590)
    const metrics = await service.metrics()
    expect(metrics).toMatch(/chaos_injections_total\{fault="inventory_delay",service="restaurant"\} 2/)
    expect(metrics).toMatch(/inventory_lock_wait_seconds_count\{service="restaurant",strategy="pessimistic"\} [1-9]/)
  })

  it('counts changes by operation, outcome and strategy', async () => {
    const menu = await service.createMenu(1)
    await service.reserve(menu.id, 'count-1')
    await service.reserve(menu.id, 'count-2')
    const metrics = await service.metrics()
    expect(metrics).toMatch(
      /inventory_changes_total\{operation="reserve",strategy="pessimistic",outcome="reserved",service="restaurant"\} [1-9]/,
    )
    expect(metrics).toMatch(
      /inventory_changes_total\{operation="reserve",strategy="pessimistic",outcome="insufficient_stock",service="restaurant"\} [1-9]/,
    )
  })
})

describe('bounded waits for the database', () => {
  const boundedService = (poolMax: string) =>
    startRestaurantService({
      DATABASE_LOCK_TIMEOUT_MS: '200',
      DATABASE_POOL_MAX: poolMax,
      DATABASE_POOL_TIMEOUT_MS: '200',
      MENU_CACHE_ENABLED: 'false',
    })

  it('ends a wait for a held row lock at lock_timeout: 503 DATABASE_TIMEOUT, nothing changed', async () => {
    const bounded = await boundedService('4')
    try {
      const menu = await bounded.createMenu(10)
      await bounded.call('POST', '/chaos/inventory_delay', { json: { delay_ms: 600, ttl_s: 5 } })
      const answers = await Promise.all([bounded.reserve(menu.id, 'one'), bounded.reserve(menu.id, 'other')])
      await bounded.call('DELETE', '/chaos')
      // One takes the lock and holds it 600 ms; the other gives up waiting after 200.
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 503])
      expect(answers.find((answer) => answer.status === 503)?.body).toEqual(errorBody('DATABASE_TIMEOUT'))
      expect((await bounded.ledger(menu.id)).stock).toBe(9)
    } finally {
      await bounded.close()
    }
  })

  it('keeps connections for reads while slow stock changes queue for theirs', async () => {
    const bounded = await boundedService('2')
    try {
      const menus = await Promise.all([bounded.createMenu(10), bounded.createMenu(10)])
      await bounded.call('POST', '/chaos/inventory_delay', { json: { delay_ms: 500, ttl_s: 5 } })
      // Two slow changes of two menus: one runs, the other waits at the gate, holding nothing.
      const changes = menus.map((menu, i) => bounded.reserve(menu.id, `slow-${i}`))
      await new Promise((resolve) => setTimeout(resolve, 100))
      const read = await bounded.call('GET', `/menus/${menus[0]?.id}`)
      expect((await Promise.all(changes)).map((answer) => answer.status)).toEqual([200, 200])
      await bounded.call('DELETE', '/chaos')
      expect(read.status).toBe(200)
    } finally {
      await bounded.close()
    }
  })

  it('answers 503 DATABASE_BUSY, not DATABASE_UNAVAILABLE, when every connection is held', async () => {
    const bounded = await boundedService('1')
    try {
      const menu = await bounded.createMenu(10)
      await bounded.call('POST', '/chaos/inventory_delay', { json: { delay_ms: 800, ttl_s: 5 } })
      // A pool of one: the stock change holds the only connection for 800 ms.
      const holder = bounded.reserve(menu.id, 'hold')
      await new Promise((resolve) => setTimeout(resolve, 100))
      const read = await bounded.call('GET', `/menus/${menu.id}`)
      await holder
      await bounded.call('DELETE', '/chaos')
      expect(read.status).toBe(503)
      expect(read.body).toEqual(errorBody('DATABASE_BUSY'))
    } finally {
      await bounded.close()
    }
  })
})
