import { describe, expect } from 'vitest'
import { errorBody, fleetTest as test } from '../helpers/fleet.ts'

// A server that does not listen stands for a stopped PostgreSQL of the order service only.
test.override('fleetEnv', { order: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/order_db' } })

describe('POST /orders with the order database down', () => {
  test('answers 503 DATABASE_UNAVAILABLE and takes no stock', async ({ fleet }) => {
    const menu = await fleet.restaurant.createMenu(5)
    const { headers } = await fleet.login()
    const placed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 2 }])
    expect(placed.status).toBe(503)
    expect(placed.body).toEqual(errorBody('DATABASE_UNAVAILABLE'))
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 5, reserved_units: 0 })
    expect((await fleet.order.call('GET', '/orders', { headers })).status).toBe(503)
  })
})
