import pg from 'pg'
import { describe, expect } from 'vitest'
import { errorBody, fleetTest as test } from '../helpers/fleet.ts'

test.override('fleetEnv', { order: { RESTAURANT_TIMEOUT_MS: '300', RELEASE_ATTEMPTS: '1' } })

describe('a restaurant slower than the order service waits', () => {
  test('answers 504, fails the order, and ends with every unit back once the recoverer ran', async ({ fleet }) => {
    const menu = await fleet.restaurant.createMenu(10)
    const { headers } = await fleet.login()
    // Stock changes now hold the row lock 600 ms: longer than the order service waits.
    await fleet.restaurant.call('POST', '/chaos/inventory_delay', { json: { delay_ms: 600 } })
    const response = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 3 }])
    expect(response.status).toBe(504)
    expect(response.body).toEqual(errorBody('DEPENDENCY_TIMEOUT'))
    const orderId = response.body.error.details.order_id
    const failed = await fleet.order.call('GET', `/orders/${orderId}`, { headers })
    expect(failed.body).toMatchObject({ status: 'FAILED', failure_reason: 'inventory_unavailable' })

    // The timed-out reserve still completes at the restaurant; the release must undo it. The
    // recoverer's rounds (made due at once here, instead of after their backoff) finish the job.
    await fleet.restaurant.call('DELETE', '/chaos')
    const db = new pg.Client({ connectionString: fleet.order.databaseUrl })
    await db.connect()
    let stockStatus = 'releasing'
    for (let round = 0; round < 20 && stockStatus !== 'released'; round++) {
      await db.query('UPDATE orders SET next_attempt_at = now() WHERE id = $1', [orderId])
      await fleet.order.app.recoverer.runOnce()
      stockStatus = (await fleet.order.call('GET', `/orders/${orderId}`, { headers })).body.stock_status
      if (stockStatus !== 'released') await new Promise((resolve) => setTimeout(resolve, 200))
    }
    await db.end()
    expect(stockStatus).toBe('released')
    expect(await fleet.restaurant.ledger(menu.id)).toMatchObject({ stock: 10, reserved_units: 0 })
  })
})
