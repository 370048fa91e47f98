import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { isDatabaseUnavailable } from '../src/database-unavailable.ts'
import { withDatabase } from '../src/databases.ts'
import { useTestServer } from './test-server.ts'

const serverUrl = useTestServer()

/** What node-postgres really throws for `run`, from a real server. */
async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => {
      throw new Error('expected a failure')
    },
    (error: unknown) => error,
  )
}

const query = async (url: string, sql: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(sql)
  } finally {
    await client.end()
  }
}

describe('isDatabaseUnavailable, on errors from a real PostgreSQL', () => {
  it('is true when nothing listens', async () => {
    const error = await thrown(() => query('postgresql://postgres@127.0.0.1:1/postgres', 'SELECT 1'))
    expect(isDatabaseUnavailable(error)).toBe(true)
  })

  it('is true for a database that does not exist', async () => {
    const error = await thrown(() => query(withDatabase(serverUrl(), 'no_such_database_here'), 'SELECT 1'))
    expect(error).toMatchObject({ code: '3D000' })
    expect(isDatabaseUnavailable(error)).toBe(true)
  })

  it('is true when the server ends the session (as on a restart)', async () => {
    const victim = new pg.Client({ connectionString: serverUrl() })
    victim.on('error', () => {}) // the client also reports the lost connection as an event
    await victim.connect()
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    await query(serverUrl(), `SELECT pg_terminate_backend(${rows[0]?.pid})`)
    const error = await thrown(() => victim.query('SELECT 1'))
    await victim.end().catch(() => {})
    expect(isDatabaseUnavailable(error)).toBe(true)
  })

  it('is false for a wrong query, a constraint, or a bug', async () => {
    expect(isDatabaseUnavailable(await thrown(() => query(serverUrl(), 'SELEC 1')))).toBe(false)
    expect(isDatabaseUnavailable(await thrown(() => query(serverUrl(), 'SELECT 1/0')))).toBe(false)
    expect(isDatabaseUnavailable(new TypeError('cannot read properties of undefined'))).toBe(false)
    expect(isDatabaseUnavailable(undefined)).toBe(false)
  })

  it('reads the driver adapter’s kind inside a Prisma raw query’s P2010, as Prisma reports it', () => {
    const prismaError = (kind: string) =>
      Object.assign(new Error('Raw query failed'), { code: 'P2010', meta: { driverAdapterError: { cause: { kind } } } })
    expect(isDatabaseUnavailable(prismaError('DatabaseNotReachable'))).toBe(true)
    expect(isDatabaseUnavailable(prismaError('ConnectionClosed'))).toBe(true)
    expect(isDatabaseUnavailable(prismaError('UniqueConstraintViolation'))).toBe(false)
  })

  it('looks through wrappers at their cause', async () => {
    const cause = await thrown(() => query('postgresql://postgres@127.0.0.1:1/postgres', 'SELECT 1'))
    expect(isDatabaseUnavailable(new Error('loading the menu failed', { cause }))).toBe(true)
  })
})
