import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { dropDatabase, ensureDatabase, withDatabase } from '../src/databases.ts'
import { MigrationHistoryError, migrate, pendingMigrations, readMigrations } from '../src/migrations.ts'
import { useTestServer } from './test-server.ts'

const serverUrl = useTestServer()
const created: string[] = []
afterAll(() => Promise.all(created.map((url) => dropDatabase(url))))

async function freshDatabase(): Promise<string> {
  const url = withDatabase(serverUrl(), `migrations_test_${process.pid}_${created.length}`)
  created.push(url)
  await dropDatabase(url)
  await ensureDatabase(url)
  return url
}

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'))
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(join(dir, name))
    await writeFile(join(dir, name, 'migration.sql'), sql)
  }
  return dir
}

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql)).rows
  } finally {
    await client.end()
  }
}

describe('migrate', () => {
  it('applies migrations in name order and records Prisma-compatible checksums', async () => {
    const url = await freshDatabase()
    const dir = await migrationsDir({
      '2_add_column': 'ALTER TABLE things ADD COLUMN label TEXT;',
      '1_create': 'CREATE TABLE things (id INT PRIMARY KEY);',
    })
    expect(await migrate(url, dir)).toEqual({ applied: ['1_create', '2_add_column'], alreadyApplied: [] })
    const rows = await query(
      url,
      'SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    )
    const files = await readMigrations(dir)
    expect(rows).toEqual(
      files.map((file) => ({ migration_name: file.name, checksum: file.checksum, applied_steps_count: 1 })),
    )
    expect(files[0]?.checksum).toMatch(/^[0-9a-f]{64}$/)
  })

  it('is safe when several replicas migrate at once', async () => {
    const url = await freshDatabase()
    const dir = await migrationsDir({ '1_create': 'CREATE TABLE things (id INT PRIMARY KEY);' })
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(url, dir)))
    expect(results.flatMap((result) => result.applied)).toEqual(['1_create'])
    expect(await query(url, 'SELECT count(*)::int AS n FROM "_prisma_migrations"')).toEqual([{ n: 1 }])
  })

  it('rolls a failing migration back entirely and stops there', async () => {
    const url = await freshDatabase()
    const dir = await migrationsDir({
      '1_create': 'CREATE TABLE things (id INT PRIMARY KEY);',
      '2_broken': 'CREATE TABLE half_done (id INT); SELECT no_such_function();',
      '3_later': 'CREATE TABLE later (id INT);',
    })
    await expect(migrate(url, dir)).rejects.toThrow(/migration 2_broken failed/)
    const tables = await query(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
    expect(tables.map((row) => row.tablename)).toEqual(['_prisma_migrations', 'things'])
  })

  it('refuses to run past a migration edited after it was applied', async () => {
    const url = await freshDatabase()
    const dir = await migrationsDir({ '1_create': 'CREATE TABLE things (id INT PRIMARY KEY);' })
    await migrate(url, dir)
    await writeFile(join(dir, '1_create', 'migration.sql'), 'CREATE TABLE things (id BIGINT PRIMARY KEY);')
    await expect(migrate(url, dir)).rejects.toThrow(/edited after it was applied/)
  })
})

describe('pendingMigrations: what a new replica waits for (fleet-db wait)', () => {
  it('lists every migration of a database never migrated, then those a newer image adds, then none', async () => {
    const url = await freshDatabase()
    const first = { '1_create': 'CREATE TABLE things (id INT PRIMARY KEY);' }
    const dir = await migrationsDir(first)
    expect(await pendingMigrations(url, dir)).toEqual(['1_create'])
    await migrate(url, dir)
    expect(await pendingMigrations(url, dir)).toEqual([])
    const newer = await migrationsDir({ ...first, '2_add_column': 'ALTER TABLE things ADD COLUMN label TEXT;' })
    expect(await pendingMigrations(url, newer)).toEqual(['2_add_column'])
  })

  it('refuses to wait past a migration edited after it was applied', async () => {
    const url = await freshDatabase()
    await migrate(url, await migrationsDir({ '1_create': 'CREATE TABLE things (id INT PRIMARY KEY);' }))
    const edited = await migrationsDir({ '1_create': 'CREATE TABLE things (id BIGINT PRIMARY KEY);' })
    await expect(pendingMigrations(url, edited)).rejects.toBeInstanceOf(MigrationHistoryError)
  })
})
