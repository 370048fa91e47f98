import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { dropDatabase, ensureDatabase, withDatabase } from '../src/databases.ts'
import { useTestServer } from './test-server.ts'

const serverUrl = useTestServer()

describe('dropDatabase', () => {
  // `pool.end()` resolves before its connections have closed. A drop that ended them from the
  // server at once made some of them fail mid-close: an 'error' event on a pool that, in a test
  // helper, nobody listened to, which crashed the test worker now and then (3 in 60 here).
  it('lets a pool that was just ended close its connections before ending them', async () => {
    const poolErrors: Error[] = []
    for (let i = 0; i < 20; i++) {
      const url = withDatabase(serverUrl(), `drop_test_${process.pid}_${i}`)
      await ensureDatabase(url)
      const pool = new pg.Pool({ connectionString: url, max: 4 })
      pool.on('error', (error) => poolErrors.push(error))
      await Promise.all(Array.from({ length: 4 }, () => pool.query('SELECT pg_sleep(0.01)')))
      await pool.end()
      await dropDatabase(url)
    }
    expect(poolErrors).toEqual([])
  })

  it('waits for a session that is about to leave, instead of ending it', async () => {
    const url = withDatabase(serverUrl(), `drop_test_${process.pid}_leaving`)
    await ensureDatabase(url)
    const leaving = new pg.Client({ connectionString: url })
    const errors: Error[] = []
    leaving.on('error', (error) => errors.push(error))
    await leaving.connect()
    const dropped = dropDatabase(url)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await leaving.end()
    await dropped
    expect(errors).toEqual([])
  })

  it('still drops a database someone stays connected to', async () => {
    const url = withDatabase(serverUrl(), `drop_test_${process.pid}_held`)
    await ensureDatabase(url)
    const holder = new pg.Client({ connectionString: url })
    holder.on('error', () => {}) // it is ended by the drop, which is the point
    await holder.connect()
    await dropDatabase(url)
    const { rowCount } = await holder.query('SELECT 1').catch(() => ({ rowCount: 0 }))
    expect(rowCount).toBe(0)
    const admin = new pg.Client({ connectionString: serverUrl() })
    await admin.connect()
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      `drop_test_${process.pid}_held`,
    ])
    await admin.end()
    expect(rows).toEqual([])
  })
})
