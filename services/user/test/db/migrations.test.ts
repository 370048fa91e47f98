import { fileURLToPath } from 'node:url'
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@food/postgres'
import pg from 'pg'
import { afterAll, describe, expect, inject, it } from 'vitest'

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url))
const url = withDatabase(inject('postgresUrl'), `user_migrations_${process.pid}`)

describe('migrations', () => {
  afterAll(() => dropDatabase(url))

  it('create the schema on an empty database, recorded for Prisma, and apply once', async () => {
    await dropDatabase(url)
    await ensureDatabase(url)
    const first = await migrate(url, MIGRATIONS)
    expect(first.applied).toEqual(['20261125000000_create_users'])

    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
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
    } finally {
      await client.end()
    }

    const again = await migrate(url, MIGRATIONS)
    expect(again).toEqual({ applied: [], alreadyApplied: ['20261125000000_create_users'] })
  })
})
