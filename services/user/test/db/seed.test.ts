import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freshMigratedDatabase, runDevSeed } from '@food/testing'
import pg from 'pg'
import { describe, expect, inject, it } from 'vitest'
import { verifyPassword } from '../../src/domain/password.ts'

const SERVICE = fileURLToPath(new URL('../..', import.meta.url))

describe('dev seed', () => {
  it('adds the original sample’s user / pass once, replicas at once, the URL read from DATABASE_URL_FILE', async () => {
    const database = await freshMigratedDatabase(inject('postgresUrl'), 'user_seed', `${SERVICE}/prisma/migrations`)
    try {
      const secret = join(await mkdtemp(join(tmpdir(), 'secret-')), 'database-url')
      await writeFile(secret, database.url)
      const seed = () => runDevSeed(SERVICE, { DATABASE_URL_FILE: secret })
      expect(await Promise.all([seed(), seed(), seed()])).toEqual([0, 0, 0])

      const client = new pg.Client({ connectionString: database.url })
      await client.connect()
      const { rows } = await client.query('SELECT username, email, password_hash FROM users')
      await client.end()
      expect(rows).toEqual([{ username: 'user', email: 'user@example.com', password_hash: expect.any(String) }])
      expect(await verifyPassword('pass', rows[0].password_hash)).toBe(true)
    } finally {
      await database.drop()
    }
  })
})
