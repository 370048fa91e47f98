import { createHash, randomUUID } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'

export interface Migration {
  name: string
  sql: string
  /** sha256 of the file, as Prisma computes it, so `prisma migrate deploy` agrees with us. */
  checksum: string
}

export interface MigrationResult {
  applied: string[]
  alreadyApplied: string[]
}

// Prisma's own advisory lock key: our runner and Prisma's never migrate one database at once.
const PRISMA_ADVISORY_LOCK = 72707369

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`

/** Reads `<dir>/<name>/migration.sql` for every migration folder, in name order. */
export async function readMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    }),
  )
}

interface AppliedRow {
  migration_name: string
  checksum: string
  finished_at: Date | null
  rolled_back_at: Date | null
}

const SELECT_APPLIED =
  'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL'

async function appliedMigrations(client: pg.Client): Promise<Map<string, AppliedRow>> {
  const { rows } = await client.query<AppliedRow>(SELECT_APPLIED)
  return new Map(rows.map((row) => [row.migration_name, row]))
}

/** A migration failed earlier or was edited after it was applied: nothing can go on until someone looks. */
export class MigrationHistoryError extends Error {}

/** Whether `migration` is recorded as applied; throws when its record says nothing can go on. */
function isApplied(migration: Migration, row: AppliedRow | undefined): boolean {
  if (!row) return false
  if (row.finished_at === null) {
    throw new MigrationHistoryError(`migration ${migration.name} failed earlier; resolve it before migrating again`)
  }
  if (row.checksum !== migration.checksum) {
    throw new MigrationHistoryError(`migration ${migration.name} was edited after it was applied (checksum differs)`)
  }
  return true
}

/**
 * The migrations of `dir` not yet applied to the database, in order (all of them when it was
 * never migrated). Takes no lock and changes nothing: what a new replica checks before it starts
 * (`fleet-db wait`). Throws, as `migrate` does, past a failed or edited migration.
 */
export async function pendingMigrations(databaseUrl: string, dir: string): Promise<string[]> {
  const migrations = await readMigrations(dir)
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ exists: boolean }>(
      `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`,
    )
    const applied = rows[0]?.exists ? await appliedMigrations(client) : new Map<string, AppliedRow>()
    return migrations.filter((migration) => !isApplied(migration, applied.get(migration.name))).map(({ name }) => name)
  } finally {
    await client.end()
  }
}

/**
 * Applies pending migrations, each in its own transaction, and records them in Prisma's
 * `_prisma_migrations` table. Safe to run from several replicas at once (advisory lock) and
 * idempotent. Refuses to go on past a failed or edited migration, as `prisma migrate deploy` does.
 */
export async function migrate(databaseUrl: string, dir: string): Promise<MigrationResult> {
  const migrations = await readMigrations(dir)
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK])
    await client.query(CREATE_MIGRATIONS_TABLE)
    const applied = await appliedMigrations(client)
    const result: MigrationResult = { applied: [], alreadyApplied: [] }
    for (const migration of migrations) {
      if (isApplied(migration, applied.get(migration.name))) {
        result.alreadyApplied.push(migration.name)
        continue
      }
      await client.query('BEGIN')
      try {
        await client.query(migration.sql)
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        )
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error })
      }
      result.applied.push(migration.name)
    }
    return result
  } finally {
    await client.end()
  }
}
