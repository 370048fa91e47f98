import { fileURLToPath } from 'node:url'
import { freshMigratedDatabase } from '@food/testing'
import pg from 'pg'
import { describe, expect, inject, it } from 'vitest'

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url))

describe('migrations', () => {
  it('create the catalogue and inventory tables on an empty database, with the stock guard and the original’s fields', async () => {
    const database = await freshMigratedDatabase(inject('postgresUrl'), 'restaurant_migrations', MIGRATIONS)
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      expect(database.applied).toEqual([
        '20261125000000_create_catalog_and_inventory',
        '20261126020000_original_sample_fields',
      ])
      expect(await database.tables()).toEqual(['_prisma_migrations', 'menus', 'restaurants', 'stock_reservations'])
      await client.query(`INSERT INTO restaurants (name, category, address) VALUES ('r', 'c', 'a')`)
      await client.query(`INSERT INTO menus (restaurant_id, name, price, stock) VALUES (1, 'm', 1, 0)`)
      const { rows } = await client.query(
        'SELECT r.phone, r.description, m.image_url FROM restaurants r JOIN menus m ON m.restaurant_id = r.id',
      )
      expect(rows).toEqual([{ phone: null, description: '', image_url: null }])
      // Whatever a strategy does, the database refuses negative stock.
      await expect(client.query('UPDATE menus SET stock = stock - 1')).rejects.toThrow(/menus_stock_not_negative/)
      expect((await database.migrateAgain()).applied).toEqual([])
    } finally {
      await client.end()
      await database.drop()
    }
  })
})
