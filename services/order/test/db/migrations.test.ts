import { fileURLToPath } from 'node:url'
import { freshMigratedDatabase } from '@food/testing'
import pg from 'pg'
import { describe, expect, inject, it } from 'vitest'
import { ORDER_STATUSES, STOCK_STATUSES } from '../../src/domain/order.ts'

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url))

describe('migrations', () => {
  it('create the order tables on an empty database, once', async () => {
    const database = await freshMigratedDatabase(inject('postgresUrl'), 'order_migrations', MIGRATIONS)
    try {
      expect(database.applied).toEqual([
        '20261125000000_create_orders',
        '20261126000000_release_refused',
        '20261126010000_idempotency_request_hash',
      ])
      expect(await database.tables()).toEqual(['_prisma_migrations', 'order_items', 'orders'])
      // The database accepts exactly the states the domain defines.
      const client = new pg.Client({ connectionString: database.url })
      await client.connect()
      const { rows } = await client.query<{ definition: string }>(
        `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = ANY($1) ORDER BY conname`,
        [['orders_status_known', 'orders_stock_status_known']],
      )
      await client.end()
      const values = (definition: string) => [...definition.matchAll(/'([a-zA-Z_]+)'/g)].map((match) => match[1])
      expect(rows.map((row) => values(row.definition))).toEqual([[...ORDER_STATUSES], [...STOCK_STATUSES]])
      expect((await database.migrateAgain()).applied).toEqual([])
    } finally {
      await database.drop()
    }
  })
})
