import { fileURLToPath } from 'node:url'
import { freshMigratedDatabase } from '@food/testing'
import { describe, expect, inject, it } from 'vitest'

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url))

describe('migrations', () => {
  it('create the order tables on an empty database, once', async () => {
    const database = await freshMigratedDatabase(inject('postgresUrl'), 'order_migrations', MIGRATIONS)
    try {
      expect(database.applied).toEqual(['20261125000000_create_orders'])
      expect(await database.tables()).toEqual(['_prisma_migrations', 'order_items', 'orders'])
      expect((await database.migrateAgain()).applied).toEqual([])
    } finally {
      await database.drop()
    }
  })
})
