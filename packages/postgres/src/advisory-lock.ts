import type pg from 'pg'

/**
 * Runs `work` while holding a PostgreSQL advisory lock named `name`: replicas starting together
 * (a seed, a one-off job) take turns instead of racing.
 */
export async function withAdvisoryLock<T>(pool: pg.Pool, name: string, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name])
    try {
      return await work()
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name])
    }
  } finally {
    client.release()
  }
}
