import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'

/** How long a drop waits for the database's sessions to close by themselves before ending them. */
const SESSIONS_GRACE_MS = 2000

/** The database a URL names, and a URL to the same server's maintenance database. */
function splitDatabaseUrl(databaseUrl: string): { database: string; maintenanceUrl: string } {
  const url = new URL(databaseUrl)
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (!database) throw new Error(`DATABASE_URL names no database: ${url.origin}`)
  url.pathname = '/postgres'
  return { database, maintenanceUrl: url.toString() }
}

async function withMaintenanceClient<T>(databaseUrl: string, run: (client: pg.Client, database: string) => Promise<T>) {
  const { database, maintenanceUrl } = splitDatabaseUrl(databaseUrl)
  const client = new pg.Client({ connectionString: maintenanceUrl })
  await client.connect()
  try {
    return await run(client, database)
  } finally {
    await client.end()
  }
}

const DUPLICATE_DATABASE = '42P04'

/** Creates the database named by the URL unless it exists; returns whether it created it. */
export async function ensureDatabase(databaseUrl: string, options: { template?: string } = {}): Promise<boolean> {
  return withMaintenanceClient(databaseUrl, async (client, database) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (rowCount) return false
    const template = options.template ? ` TEMPLATE ${client.escapeIdentifier(options.template)}` : ''
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}${template}`)
      return true
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if ((error as { code?: string }).code === DUPLICATE_DATABASE) return false
      throw error
    }
  })
}

/**
 * Drops the database, ending the sessions still on it, but only after giving them a moment to
 * leave: node-postgres reports a pool ended before its connections have closed, and a connection
 * the server ends while it is closing is an error event its pool may have nobody listening to.
 */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  await withMaintenanceClient(databaseUrl, async (client, database) => {
    const deadline = Date.now() + SESSIONS_GRACE_MS
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ sessions: number }>(
        'SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      )
      if (!rows[0]?.sessions) break
      await sleep(20)
    }
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)} WITH (FORCE)`)
  })
}

/** The same server and credentials, another database. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl)
  url.pathname = `/${encodeURIComponent(database)}`
  return url.toString()
}
