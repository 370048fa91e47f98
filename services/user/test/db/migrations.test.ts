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
      const migrations = ['20261125000000_create_users', '20261126000000_case_insensitive_usernames']
      expect(database.applied).toEqual(migrations)
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
      const recorded = await client.query(
        'SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
      )
      expect(recorded.rows).toEqual(migrations.map((name) => ({ migration_name: name, finished_at: expect.any(Date) })))
      const indexes = await client.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'users_username_lower_key'`)
      expect(indexes.rows).toEqual([{ indexdef: expect.stringContaining('lower((username)::text)') }])
      expect((await database.migrateAgain()).applied).toEqual([])
    } finally {
      await client.end()
      await database.drop()
    }
  })
})
