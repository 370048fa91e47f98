import type { MetricsRegistry } from '@food/metrics'
import { Gate } from '@food/service-kit'
import pg from 'pg'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInventoryInstruments } from '../../src/db/inventory/instruments.ts'
import { InventoryStore } from '../../src/db/inventory/inventory-store.ts'
import { atomic, LOCK_STRATEGIES_BY_NAME, optimistic } from '../../src/db/inventory/lock-strategy.ts'
import { moveWithLedgerRow } from '../../src/db/inventory/stock-rows.ts'
import { startRestaurantService, type TestRestaurantService } from '../helpers/restaurant-service.ts'

let service: TestRestaurantService
let pool: pg.Pool
/** The statements each pooled connection sent, in order, since the last `sent.length = 0`. */
const sent: string[] = []

beforeAll(async () => {
  service = await startRestaurantService()
  pool = new pg.Pool({ connectionString: service.databaseUrl, max: 2 })
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown
    client.query = ((...args: unknown[]) => {
      const [first] = args
      sent.push((typeof first === 'string' ? first : (first as pg.QueryConfig).text).trim().split(/\s+/)[0] ?? '')
      return query(...args)
    }) as typeof client.query
  })
})
afterAll(async () => {
  await pool.end()
  await service.close()
})

const openMetrics = () => {
  const registry: MetricsRegistry = new Registry()
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
  return registry
}

const storeOf = (strategy: keyof typeof LOCK_STRATEGIES_BY_NAME) =>
  new InventoryStore(pool, {
    strategy: LOCK_STRATEGIES_BY_NAME[strategy],
    maxAttempts: 3,
    holdLock: async () => {},
    instruments: createInventoryInstruments(openMetrics(), pool, strategy),
    changes: new Gate({ running: 1, waiting: 10, whenFull: () => new Error('full') }),
  })

// Each round trip is a wait on the database while the menu's row lock is held: the reserve, the
// hot path of every order, makes four (BEGIN, the read with the reservation, the move with its
// ledger row, COMMIT).
describe.each(['pessimistic', 'optimistic', 'atomic'] as const)('a stock change under %s locking', (strategy) => {
  it('reserves in four round trips, replays in three, restores in five, and the ledger adds up', async () => {
    const store = storeOf(strategy)
    const menu = await service.createMenu(10)
    const change = (operation: 'reserve' | 'restore') =>
      store.change({ menuId: menu.id, orderId: `trips-${strategy}`, quantity: 3, operation })

    sent.length = 0
    expect(await change('reserve')).toMatchObject({ outcome: 'reserved', moved: 3, stock: 7 })
    expect(sent).toEqual(['BEGIN', 'SELECT', 'WITH', 'COMMIT'])

    sent.length = 0
    expect(await change('reserve')).toMatchObject({ outcome: 'replayed', moved: 0, stock: 7 })
    expect(sent).toEqual(['BEGIN', 'SELECT', 'COMMIT'])

    sent.length = 0
    expect(await change('restore')).toMatchObject({ outcome: 'restored', moved: 3, stock: 10 })
    expect(sent).toEqual(['BEGIN', 'SELECT', 'SELECT', 'WITH', 'COMMIT'])

    expect(await store.ledger(menu.id)).toEqual({
      menuId: menu.id,
      stock: 10,
      reservedUnits: 0,
      restoredUnits: 3,
      openReservations: 0,
    })
  })
})

describe('a move with its ledger row', () => {
  it('writes the row only when the move applied, and the new stock comes back', async () => {
    const menu = await service.createMenu(2)
    const client = await pool.connect()
    try {
      const read = { restaurantId: menu.restaurantId, stock: 2, version: 0 }
      const reserve = (orderId: string, quantity: number) =>
        moveWithLedgerRow(client, atomic.move(menu.id, -quantity, read), {
          kind: 'reserve',
          orderId,
          menuId: menu.id,
          quantity,
        })
      expect(await reserve('too-many', 3)).toBeUndefined()
      expect(await reserve('fits', 2)).toBe(0)
      const stale = moveWithLedgerRow(client, optimistic.move(menu.id, 2, read), {
        kind: 'restore',
        orderId: 'fits',
        menuId: menu.id,
      })
      expect(await stale).toBeUndefined()
      const { rows } = await client.query(
        'SELECT order_id, quantity, status FROM stock_reservations WHERE menu_id = $1',
        [menu.id],
      )
      expect(rows).toEqual([{ order_id: 'fits', quantity: 2, status: 'RESERVED' }])
    } finally {
      client.release()
    }
  })
})
