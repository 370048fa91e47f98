import { fileURLToPath } from 'node:url'
import { freshMigratedDatabase, runDevSeed } from '@food/testing'
import pg from 'pg'
import { describe, expect, inject, it } from 'vitest'

const SERVICE = fileURLToPath(new URL('../..', import.meta.url))

const seed = (databaseUrl: string) => runDevSeed(SERVICE, { DATABASE_URL: databaseUrl })

describe('dev seed', () => {
  it('seeds the catalogue once, even when replicas run it at the same time', async () => {
    const database = await freshMigratedDatabase(
      inject('postgresUrl'),
      'restaurant_seed',
      `${SERVICE}/prisma/migrations`,
    )
    try {
      expect(await Promise.all([seed(database.url), seed(database.url), seed(database.url)])).toEqual([0, 0, 0])
      const client = new pg.Client({ connectionString: database.url })
      await client.connect()
      const { rows } = await client.query(
        'SELECT (SELECT count(*)::int FROM restaurants) AS restaurants, (SELECT count(*)::int FROM menus) AS menus, (SELECT name FROM menus WHERE id = 1) AS first, (SELECT sum(stock)::int FROM menus) AS stock, (SELECT phone FROM restaurants WHERE id = 1) AS phone',
      )
      await client.end()
      expect(rows[0]).toEqual({ restaurants: 5, menus: 20, first: '김치찌개', stock: 2000, phone: '02-737-1001' })
    } finally {
      await database.drop()
    }
  })
})
