/**
 * The `hold-lock` fault: a PostgreSQL session holding a hot menu's row lock (`SELECT … FOR UPDATE`
 * in an open transaction), as a forgotten transaction, a long migration or a stuck batch job does
 * (docs/chaos.md). Every stock change of that menu queues behind it until it is released.
 */
import pg from 'pg'

interface Held {
  client: pg.Client
  timer?: NodeJS.Timeout
}

export class RowLocks {
  readonly #held = new Set<Held>()

  constructor(private readonly postgresUrl: string) {}

  /** The database the restaurant service is connected to (its application name), unless named. */
  async #databaseOf(database?: string): Promise<string> {
    if (database) return database
    const admin = new pg.Client({ connectionString: this.postgresUrl, connectionTimeoutMillis: 5000 })
    await admin.connect()
    try {
      const { rows } = await admin.query<{ datname: string }>(
        // npm start's database first: a test's restaurant service may be connected to this server too.
        `SELECT datname FROM pg_stat_activity WHERE application_name = 'restaurant-service' AND datname IS NOT NULL
          ORDER BY datname = 'restaurant_db' DESC LIMIT 1`,
      )
      const found = rows[0]?.datname
      if (!found) throw new Error('no session of the restaurant service on this PostgreSQL server (postgres_url)')
      return found
    } finally {
      await admin.end()
    }
  }

  /** Locks the menu's row for durationS seconds (released then, or by releaseAll); the database it held it in. */
  async hold(menuId: number, durationS: number, database?: string): Promise<{ database: string; menu_id: number }> {
    const url = new URL(this.postgresUrl)
    url.pathname = `/${await this.#databaseOf(database)}`
    const client = new pg.Client({
      connectionString: url.toString(),
      connectionTimeoutMillis: 5000,
      application_name: 'chaos-lab-row-lock',
    })
    await client.connect()
    try {
      await client.query('BEGIN')
      // Waits no longer than 5 s for a lock someone else holds: the fault is ours, not a queue.
      await client.query(`SET LOCAL lock_timeout = '5s'`)
      const { rowCount } = await client.query('SELECT id FROM menus WHERE id = $1 FOR UPDATE', [menuId])
      if (rowCount === 0) throw new Error(`no menu ${menuId} in ${url.pathname.slice(1)}`)
    } catch (error) {
      await client.end()
      throw error
    }
    const held: Held = { client }
    held.timer = setTimeout(() => void this.#release(held), durationS * 1000)
    this.#held.add(held)
    return { database: url.pathname.slice(1), menu_id: menuId }
  }

  async #release(held: Held) {
    if (!this.#held.delete(held)) return
    clearTimeout(held.timer)
    await held.client.query('ROLLBACK').catch(() => undefined)
    await held.client.end().catch(() => undefined)
  }

  /** Every lock still held, released now (clear-faults, the run's end); whether one was. */
  async releaseAll(): Promise<boolean> {
    const held = [...this.#held]
    await Promise.all(held.map((one) => this.#release(one)))
    return held.length > 0
  }
}
