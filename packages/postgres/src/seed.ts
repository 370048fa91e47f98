import { databaseUrlFromEnv } from '@food/config'
import pg from 'pg'
import { withAdvisoryLock } from './advisory-lock.ts'

/**
 * Runs a service's dev seed against DATABASE_URL (or DATABASE_URL_FILE's), under an advisory lock: replicas starting
 * together seed one after the other, and the later ones find the data there.
 */
export async function runSeed(seed: (pool: pg.Pool) => Promise<void>): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrlFromEnv(), max: 2 })
  try {
    await withAdvisoryLock(pool, 'seed', () => seed(pool))
  } finally {
    await pool.end()
  }
}
