/**
 * `fleet-db` as a Kubernetes Job or compose runs it: the database's URL from DATABASE_URL or, as
 * a mounted secret, from the file DATABASE_URL_FILE names.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { dropDatabase, withDatabase } from '../src/databases.ts'
import { pendingMigrations } from '../src/migrations.ts'
import { useTestServer } from './test-server.ts'

const FLEET_DB = fileURLToPath(new URL('../bin/fleet-db.mjs', import.meta.url))
const serverUrl = useTestServer()
const created: string[] = []
afterAll(() => Promise.all(created.map((url) => dropDatabase(url))))

/** Runs fleet-db with only these variables beside PATH; its exit code and what it printed. */
async function fleetDb(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [FLEET_DB, ...args], {
      env: { PATH: process.env.PATH, ...env },
    })
    return { code: 0, output: stdout + stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, output: failed.stdout + failed.stderr }
  }
}

async function aMigration(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-db-'))
  await mkdir(join(dir, '1_create'))
  await writeFile(join(dir, '1_create', 'migration.sql'), 'CREATE TABLE things (id INT PRIMARY KEY);')
  return dir
}

describe('fleet-db', () => {
  it('migrates the database whose URL the file DATABASE_URL_FILE names (a mounted secret)', async () => {
    const url = withDatabase(serverUrl(), `fleet_db_file_${process.pid}`)
    created.push(url)
    const secret = join(await mkdtemp(join(tmpdir(), 'secret-')), 'database-url')
    await writeFile(secret, `${url}\n`)
    const migrations = await aMigration()

    const run = await fleetDb(['migrate', migrations], { DATABASE_URL_FILE: secret })
    expect(run).toMatchObject({ code: 0 })
    expect(run.output).toContain('1 applied')
    expect(await pendingMigrations(url, migrations)).toEqual([])
  })

  it('says which variable is wrong, and exits 1: none set, both set, or not a PostgreSQL URL', async () => {
    const secret = join(await mkdtemp(join(tmpdir(), 'secret-')), 'database-url')
    await writeFile(secret, serverUrl())
    expect(await fleetDb(['create'], {})).toEqual({
      code: 1,
      output: expect.stringContaining('DATABASE_URL is required but not set'),
    })
    expect(await fleetDb(['create'], { DATABASE_URL: serverUrl(), DATABASE_URL_FILE: secret })).toEqual({
      code: 1,
      output: expect.stringContaining('DATABASE_URL and DATABASE_URL_FILE are both set: set one'),
    })
    expect(await fleetDb(['create'], { DATABASE_URL: 'mysql://localhost/db' })).toEqual({
      code: 1,
      output: expect.stringContaining('DATABASE_URL must match pattern'),
    })
  })
})
