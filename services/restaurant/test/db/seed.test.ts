import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { freshMigratedDatabase } from '@food/testing'
import pg from 'pg'
import { describe, expect, inject, it } from 'vitest'

const SERVICE = fileURLToPath(new URL('../..', import.meta.url))

async function seed(databaseUrl: string): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'prisma/seed.ts'], {
    cwd: SERVICE,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: 'ignore',
  })
  const [code] = await once(child, 'exit')
  return code as number | null
}

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
        'SELECT (SELECT count(*)::int FROM restaurants) AS restaurants, (SELECT count(*)::int FROM menus) AS menus, (SELECT name FROM menus WHERE id = 1) AS first',
      )
      await client.end()
      expect(rows[0]).toEqual({ restaurants: 5, menus: 20, first: '김치찌개' })
    } finally {
      await database.drop()
    }
  })
})
