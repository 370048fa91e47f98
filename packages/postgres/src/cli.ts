import { resolve } from 'node:path'
import { ensureDatabase } from './databases.ts'
import { migrate } from './migrations.ts'

const USAGE = `usage: fleet-db <create|migrate> [migrations-dir]
  create   create the database named by DATABASE_URL unless it exists
  migrate  create it if needed, then apply prisma/migrations/*/migration.sql (or the dir given)`

async function main([command, dir = 'prisma/migrations']: string[]): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) throw new Error('DATABASE_URL is required but not set')
  const database = new URL(databaseUrl).pathname.slice(1)
  switch (command) {
    case 'create': {
      const created = await ensureDatabase(databaseUrl)
      console.log(`${database}: ${created ? 'created' : 'exists'}`)
      return
    }
    case 'migrate': {
      if (await ensureDatabase(databaseUrl)) console.log(`${database}: created`)
      const { applied, alreadyApplied } = await migrate(databaseUrl, resolve(dir))
      for (const name of applied) console.log(`${database}: applied ${name}`)
      console.log(`${database}: ${applied.length} applied, ${alreadyApplied.length} already applied`)
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
