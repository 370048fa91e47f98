import { randomBytes } from 'node:crypto'
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@food/postgres'

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
