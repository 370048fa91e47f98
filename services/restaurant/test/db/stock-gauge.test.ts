import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STOCK_GAUGE_MENUS } from '../../src/db/inventory/instruments.ts'
import { startRestaurantService, type TestRestaurantService } from '../helpers/restaurant-service.ts'

let service: TestRestaurantService
beforeAll(async () => {
  service = await startRestaurantService()
})
afterAll(() => service.close())

const stockSeries = (text: string) =>
  [...text.matchAll(/^inventory_stock_units\{menu="(\d+)",service="restaurant"\} (\d+)/gm)].map(([, menu, value]) => ({
    menu: Number(menu),
    value: Number(value),
  }))

describe('inventory_stock_units', () => {
  it(`shows at most ${STOCK_GAUGE_MENUS} menus, those whose stock changed last, however many load runs added`, async () => {
    const client = new pg.Client({ connectionString: service.databaseUrl })
    await client.connect()
    try {
      const { rows } = await client.query<{ id: number }>(
        `WITH r AS (INSERT INTO restaurants (name, category, address) VALUES ('Load', 'load', 'Seoul') RETURNING id)
         INSERT INTO menus (restaurant_id, name, price, stock, updated_at)
         SELECT r.id, 'menu ' || n, 1000, 10, now() - interval '1 hour' FROM r, generate_series(1, $1) AS n
         RETURNING id`,
        [STOCK_GAUGE_MENUS + 30],
      )
      const oldest = rows[0]?.id as number
      // A reserve on the first of them makes it the most recently changed.
      expect((await service.reserve(oldest, 'gauge-1', 4)).status).toBe(200)
      const series = stockSeries(await service.metrics())
      expect(series).toHaveLength(STOCK_GAUGE_MENUS)
      expect(series).toContainEqual({ menu: oldest, value: 6 })
    } finally {
      await client.end()
    }
  })
})
