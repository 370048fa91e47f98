import { fileURLToPath } from 'node:url'
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@food/postgres'
import pg from 'pg'
import { afterAll, describe, expect, inject, it } from 'vitest'

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url))
const url = withDatabase(inject('postgresUrl'), `restaurant_migrations_${process.pid}`)

describe('migrations', () => {
  afterAll(() => dropDatabase(url))

  it('create the catalogue and inventory tables on an empty database, with the stock guard', async () => {
    await dropDatabase(url)
    await ensureDatabase(url)
    expect((await migrate(url, MIGRATIONS)).applied).toEqual(['20261125000000_create_catalog_and_inventory'])
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const tables = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
      expect(tables.rows.map((row) => row.tablename)).toEqual([
        '_prisma_migrations',
        'menus',
        'restaurants',
        'stock_reservations',
      ])
      await client.query(`INSERT INTO restaurants (name, category, address) VALUES ('r', 'c', 'a')`)
      await client.query(`INSERT INTO menus (restaurant_id, name, price, stock) VALUES (1, 'm', 1, 0)`)
      // Whatever a strategy does, the database refuses negative stock.
      await expect(client.query('UPDATE menus SET stock = stock - 1')).rejects.toThrow(/menus_stock_not_negative/)
    } finally {
      await client.end()
    }
    expect((await migrate(url, MIGRATIONS)).applied).toEqual([])
  })
})
