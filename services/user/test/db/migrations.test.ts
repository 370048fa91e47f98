import { fileURLToPath } from 'node:url'
import { freshMigratedDatabase } from '@food/testing'
import pg from 'pg'
import { describe, expect, inject, it } from 'vitest'

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url))

describe('migrations', () => {
  it('create the users table on an empty database, recorded for Prisma, and apply once', async () => {
    const database = await freshMigratedDatabase(inject('postgresUrl'), 'user_migrations', MIGRATIONS)
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      expect(database.applied).toEqual(['20261125000000_create_users'])
      expect(await database.tables()).toEqual(['_prisma_migrations', 'users'])
      const columns = await client.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position`,
      )
      expect(columns.rows.map((row) => row.column_name)).toEqual([
        'id',
        'username',
        'email',
        'password_hash',
        'created_at',
        'updated_at',
      ])
      const recorded = await client.query('SELECT migration_name, finished_at FROM "_prisma_migrations"')
      expect(recorded.rows).toEqual([{ migration_name: '20261125000000_create_users', finished_at: expect.any(Date) }])
      expect((await database.migrateAgain()).applied).toEqual([])
    } finally {
      await client.end()
      await database.drop()
    }
  })
})
