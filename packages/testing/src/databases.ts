import { randomBytes } from 'node:crypto'
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@food/postgres'
import pg from 'pg'

/**
 * Drops and re-creates `name`, then applies the migrations to it: every run starts from an
 * empty database, so the migrations themselves are tested each time.
 */
export async function prepareTemplateDatabase(serverUrl: string, name: string, migrationsDir: string) {
  const url = withDatabase(serverUrl, name)
  await dropDatabase(url)
  await ensureDatabase(url)
  await migrate(url, migrationsDir)
  return url
}

const OBJECT_IN_USE = '55006'

/** A fresh database copied from the migrated template: one per test file, so files run in parallel. */
export async function createDatabaseFromTemplate(serverUrl: string, template: string) {
  const url = withDatabase(serverUrl, `${template}_${randomBytes(4).toString('hex')}`)
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureDatabase(url, { template })
      break
    } catch (error) {
      // Copying needs the template to itself be idle; another file's copy may hold it briefly.
      if ((error as { code?: string }).code !== OBJECT_IN_USE || attempt === 20) throw error
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
    }
  }
  return { url, drop: () => dropDatabase(url) }
}

/** A key prefix no other test file uses, so files can share one Redis. */
export const uniqueRedisPrefix = (service: string) => `test:${service}:${randomBytes(4).toString('hex')}:`

/**
 * An empty database of its own, migrated: for tests of the migrations themselves.
 * Returns what was applied and a way to query and drop it.
 */
export async function freshMigratedDatabase(serverUrl: string, name: string, migrationsDir: string) {
  const url = withDatabase(serverUrl, `${name}_${randomBytes(4).toString('hex')}`)
  await ensureDatabase(url)
  const { applied } = await migrate(url, migrationsDir)
  const tables = async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
      )
      return rows.map((row) => row.tablename)
    } finally {
      await client.end()
    }
  }
  return { url, applied, tables, migrateAgain: () => migrate(url, migrationsDir), drop: () => dropDatabase(url) }
}
