import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCK_STRATEGIES } from '../../src/config.ts'
import { errorBody, startRestaurantService, type TestRestaurantService } from '../helpers/restaurant-service.ts'

describe.each(LOCK_STRATEGIES)('PUT /inventory under concurrency, %s strategy', (strategy) => {
  let service: TestRestaurantService
  beforeAll(async () => {
    service = await startRestaurantService({ STOCK_LOCK_STRATEGY: strategy })
  })
  afterAll(() => service.close())

  it('sells exactly the stock to 200 concurrent reserves of 1 unit on 100', async () => {
    const menu = await service.createMenu(100)
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => service.reserve(menu.id, `order-${strategy}-${i}`)),
    )
    const succeeded = responses.filter((response) => response.status === 200)
    const refused = responses.filter((response) => response.status === 409)
    expect(succeeded).toHaveLength(100)
    expect(refused).toHaveLength(100)
    for (const response of succeeded) expect(response.body).toMatchObject({ outcome: 'reserved', moved: 1 })
    for (const response of refused) expect(response.body).toEqual(errorBody('INSUFFICIENT_STOCK'))
    expect(await service.ledger(menu.id)).toMatchObject({ stock: 0, reserved_units: 100, open_reservations: 100 })
    const { rows } = await service.pool.query('SELECT count(*)::int AS n FROM stock_reservations WHERE menu_id = $1', [
      menu.id,
    ])
    expect(rows[0].n).toBe(100)
  })

  it('never oversells with mixed quantities, and refuses only what did not fit', async () => {
    const menu = await service.createMenu(100)
    const quantities = Array.from({ length: 150 }, (_, i) => (i % 3) + 1) // 300 units asked for
    const responses = await Promise.all(
      quantities.map((quantity, i) => service.reserve(menu.id, `mixed-${strategy}-${i}`, quantity)),
    )
    const sold = responses.reduce((sum, response, i) => sum + (response.status === 200 ? (quantities[i] ?? 0) : 0), 0)
    for (const response of responses) {
      if (response.status !== 200) {
        expect(response.status).toBe(409)
        expect(response.body.error.details.available).toBeLessThan(response.body.error.details.requested)
      }
    }
    const ledger = await service.ledger(menu.id)
    expect(ledger.stock).toBe(100 - sold)
    expect(ledger.stock + ledger.reserved_units).toBe(100)
    // Stock only falls, so the last refusal saw at most the final stock, below its request (≤ 3).
    expect(ledger.stock).toBeLessThan(3)
  })

  it('stays consistent when reserve and restore of the same order race', async () => {
    const menu = await service.createMenu(50)
    const pairs = Array.from({ length: 40 }, (_, i) => `race-${strategy}-${i}`)
    const outcomes = await Promise.all(
      pairs.map(async (orderId) => {
        const [reserve, restore] = await Promise.all([
          service.reserve(menu.id, orderId, 2),
          service.restore(menu.id, orderId, 2),
        ])
        return { reserve, restore }
      }),
    )
    for (const { reserve, restore } of outcomes) {
      expect(restore.status).toBe(200)
      if (restore.body.outcome === 'voided') {
        // The restore came first: the late reserve is refused, never left holding stock.
        expect(reserve.status).toBe(409)
        expect(reserve.body).toEqual(errorBody('RESERVATION_CLOSED'))
      } else {
        expect(restore.body.outcome).toBe('restored')
        expect(reserve.body.outcome).toBe('reserved')
      }
    }
    expect(await service.ledger(menu.id)).toMatchObject({ stock: 50, reserved_units: 0, open_reservations: 0 })
  })

  it('takes stock once for duplicate concurrent reserves of one order', async () => {
    const menu = await service.createMenu(10)
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => service.reserve(menu.id, `dup-${strategy}`, 3)),
    )
    expect(responses.every((response) => response.status === 200)).toBe(true)
    const outcomes = responses.map((response) => response.body.outcome)
    expect(outcomes.filter((outcome) => outcome === 'reserved')).toHaveLength(1)
    expect(outcomes.filter((outcome) => outcome === 'replayed')).toHaveLength(19)
    expect(await service.ledger(menu.id)).toMatchObject({ stock: 7, reserved_units: 3 })
  })
})
