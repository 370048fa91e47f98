import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { databaseUrlFromEnv } from '@food/config'
import { dropDatabase, ensureDatabase } from './databases.ts'
import { MigrationHistoryError, migrate, pendingMigrations } from './migrations.ts'

const USAGE = `usage: fleet-db <create|drop|migrate|wait> [migrations-dir]
  create   create the database named by DATABASE_URL (or the file DATABASE_URL_FILE names) unless it exists
  drop     drop it, ending the sessions still on it (npm run reset)
  migrate  create it if needed, then apply prisma/migrations/*/migration.sql (or the dir given)
  wait     wait until every one of those migrations is applied (by "migrate" elsewhere, say a
           Kubernetes Job), for at most FLEET_DB_WAIT_S seconds (300); exit 1 if they never are`

/** How often `wait` looks again. */
const WAIT_INTERVAL_MS = 2000

/** Waits until nothing of `dir` is pending; a database not reachable yet is waited for too. */
async function waitForMigrations(databaseUrl: string, dir: string, timeoutSeconds: number): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000
  let last = ''
  for (;;) {
    let state: string
    try {
      const pending = await pendingMigrations(databaseUrl, dir)
      if (pending.length === 0) return true
      state = `waiting for ${pending.join(', ')}`
    } catch (error) {
      if (error instanceof MigrationHistoryError) throw error // cannot be waited out
      state = `waiting for the database: ${(error as Error).message}`
    }
    if (state !== last) console.log(state)
    last = state
    if (Date.now() + WAIT_INTERVAL_MS > deadline) return false
    await sleep(WAIT_INTERVAL_MS)
  }
}

async function main([command, dir = 'prisma/migrations']: string[]): Promise<void> {
  const databaseUrl = databaseUrlFromEnv()
  const database = new URL(databaseUrl).pathname.slice(1)
  switch (command) {
    case 'create': {
      const created = await ensureDatabase(databaseUrl)
      console.log(`${database}: ${created ? 'created' : 'exists'}`)
      return
    }
    case 'drop': {
      await dropDatabase(databaseUrl)
      console.log(`${database}: dropped`)
      return
    }
    case 'migrate': {
      if (await ensureDatabase(databaseUrl)) console.log(`${database}: created`)
      const { applied, alreadyApplied } = await migrate(databaseUrl, resolve(dir))
      for (const name of applied) console.log(`${database}: applied ${name}`)
      console.log(`${database}: ${applied.length} applied, ${alreadyApplied.length} already applied`)
      return
    }
    case 'wait': {
      const timeoutSeconds = Number(process.env.FLEET_DB_WAIT_S ?? 300)
      if (!(await waitForMigrations(databaseUrl, resolve(dir), timeoutSeconds))) {
        throw new Error(`migrations still pending after ${timeoutSeconds} s`)
      }
      console.log(`${database}: every migration applied`)
      return
    }
    default:
      console.error(USAGE)
      process.exitCode = 2
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`fleet-db: ${error.message}`)
  process.exitCode = 1
})
