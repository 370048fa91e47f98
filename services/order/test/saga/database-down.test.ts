import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorBody, startFleet, type TestFleet } from '../helpers/fleet.ts'

describe('POST /orders with the order database down', () => {
  let fleet: TestFleet
  beforeAll(async () => {
    // A server that does not listen stands for a stopped PostgreSQL of the order service only.
    fleet = await startFleet({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/order_db' })
  })
  afterAll(() => fleet.close())

  it('answers 503 DATABASE_UNAVAILABLE and takes no stock', async () => {
    const menu = await fleet.restaurant.createMenu(5)
    const { headers } = await fleet.login()
    const placed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 2 }])
    expect(placed.status).toBe(503)
    expect(placed.body).toEqual(errorBody('DATABASE_UNAVAILABLE'))
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 5, reserved_units: 0 })
    expect((await fleet.order.call('GET', '/orders', { headers })).status).toBe(503)
  })
})
