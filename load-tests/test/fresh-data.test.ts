/**
 * The ways back to fresh data of docs/quick-start.md, run as a user runs them: `npm run reset` (databases and
 * Redis keys dropped, migrated, seeded) on a set of databases beside the developer's
 * (FLEET_DATABASE_SUFFIX) and a Redis database of its own, so no one's dev data is touched.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, describe, expect, inject, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SUFFIX = `_reset_test_${process.pid}`
const serverUrl = (database: string) => {
  const url = new URL(inject('postgresUrl'))
  url.pathname = `/${database}`
  return url.toString()
}
// Redis database 9 of the test's server: the keys of db 0 must outlive the reset.
const redisUrl = `${inject('redisUrl').replace(/\/\d*$/, '')}/9`

const reset = () =>
  spawnSync('npm', ['run', '--silent', 'reset'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: serverUrl('postgres'), REDIS_URL: redisUrl, FLEET_DATABASE_SUFFIX: SUFFIX },
  })

const query = async <T extends pg.QueryResultRow>(database: string, sql: string) => {
  const client = new pg.Client({ connectionString: serverUrl(`${database}${SUFFIX}`) })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: serverUrl('postgres') })
  await admin.connect()
  for (const database of ['user_db', 'restaurant_db', 'order_db']) {
    await admin.query(`DROP DATABASE IF EXISTS "${database}${SUFFIX}" WITH (FORCE)`)
  }
  await admin.end()
})

describe('npm run reset', () => {
  it('drops each service’s database and Redis keys, migrates and seeds: the dev data as new, orders gone', async () => {
    const first = reset()
    expect(first.status, first.stderr).toBe(0)
    // What a run leaves behind: menu 1 sold out, an order, users, cached keys and a fault.
    await query('restaurant_db', 'UPDATE menus SET stock = 0')
    await query('user_db', "INSERT INTO users (username, password_hash, updated_at) VALUES ('leftover', 'x', now())")
    await query(
      'order_db',
      "INSERT INTO orders (user_id, status, payment_status, stock_status, total_price, address, phone) VALUES (1, 'CONFIRMED', 'paid', 'kept', 9000, 'Seoul', '010')",
    )
    const redis = new Redis(redisUrl)
    const keep = new Redis(redisUrl.replace(/\/9$/, '/0'))
    try {
      await redis.set('restaurant:menus:list', 'stale')
      await redis.hset('order:chaos:faults', 'payment_fail', '100')
      await redis.set('not-the-fleet:key', 'kept')
      await keep.set(`restaurant:outside-db-9:${process.pid}`, 'kept')

      const again = reset()
      expect(again.status, again.stderr).toBe(0)
      expect(again.stdout).toMatch(/restaurant: \d+ Redis keys deleted/)

      expect(
        await query('restaurant_db', 'SELECT count(*)::int AS menus, min(stock) AS low, max(stock) AS high FROM menus'),
      ).toEqual([{ menus: 20, low: 100, high: 100 }])
      expect(await query('user_db', "SELECT username FROM users WHERE username = 'leftover'")).toEqual([])
      expect(await query('user_db', "SELECT username FROM users WHERE username = 'user'")).toHaveLength(1)
      expect(await query('order_db', 'SELECT id FROM orders')).toEqual([])
      expect(await redis.exists('restaurant:menus:list', 'order:chaos:faults')).toBe(0)
      expect(await redis.get('not-the-fleet:key')).toBe('kept')
      expect(await keep.get(`restaurant:outside-db-9:${process.pid}`)).toBe('kept')
    } finally {
      await keep.del(`restaurant:outside-db-9:${process.pid}`)
      await redis.flushdb()
      redis.disconnect()
      keep.disconnect()
    }
  }, 120_000)
})
