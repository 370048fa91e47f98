/**
 * A fault the order service does not cooperate with: killed with SIGKILL in the middle of a load,
 * while orders are between their reserve and their payment, then started again on the same
 * database, as a container restarts. What must hold once its recoverer has run: no order left
 * PENDING or holding stock half-way, and no unit of stock lost or made up.
 */
import { fileURLToPath } from 'node:url'
import { startRestaurantService } from '@food/restaurant-service/test-service'
import { type ChildService, createDatabaseFromTemplate, spawnService, uniqueRedisPrefix } from '@food/testing'
import { startUserService } from '@food/user-service/test-service'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { FleetClient } from '../src/fleet-client.ts'
import { checkInvariants } from '../src/invariants.ts'
import { startLoad } from '../src/load.ts'
import { LOAD_PROFILES } from '../src/load-profiles.ts'
import { Recorder } from '../src/recorder.ts'

const ORDER_DIR = fileURLToPath(new URL('../../services/order', import.meta.url))

let user: Awaited<ReturnType<typeof startUserService>>
let restaurant: Awaited<ReturnType<typeof startRestaurantService>>
let database: Awaited<ReturnType<typeof createDatabaseFromTemplate>>
let order: ChildService | undefined
const orderEnv: Record<string, string> = {}

/** The order service in a child process, on the same database and Redis prefix each time. */
const startOrder = async (port?: number) => {
  order = await spawnService(ORDER_DIR, { ...orderEnv, ...(port ? { PORT: String(port) } : {}) })
  return order
}

beforeAll(async () => {
  user = await startUserService()
  // The stock changes are slowed a little, so that a kill finds orders between reserve and payment.
  restaurant = await startRestaurantService()
  await restaurant.createMenu(1) // a load adds its menu to an existing restaurant
  database = await createDatabaseFromTemplate(inject('postgresUrl'), inject('templates').order as string)
  Object.assign(orderEnv, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: uniqueRedisPrefix('order'),
    USER_SERVICE_URL: user.baseUrl,
    RESTAURANT_SERVICE_URL: restaurant.baseUrl,
    SERVICE_TOKEN: restaurant.config.SERVICE_TOKEN,
    RECOVERY_ENABLED: 'true',
    RECOVERY_INTERVAL_MS: '200',
    PENDING_TIMEOUT_S: '2',
  })
}, 60_000)
afterAll(async () => {
  await order?.stop()
  await restaurant?.close()
  await user?.close()
  await database?.drop()
})

describe('the order service killed with SIGKILL under load', () => {
  it('loses no stock and leaves no order PENDING once it is back and its recoverer has run', async () => {
    const first = await startOrder()
    const port = new URL(first.baseUrl).port
    await restaurant.call('POST', '/chaos/inventory_delay', { json: { delay_ms: 50 } })
    const recorder = new Recorder()
    const client = new FleetClient(
      {
        user: user.baseUrl,
        restaurant: restaurant.baseUrl,
        order: first.baseUrl,
        restaurantInternal: restaurant.baseUrl,
      },
      recorder,
    )
    try {
      const load = await startLoad(client, recorder, {
        name: 'sigkill',
        iteration: LOAD_PROFILES.order.iteration,
        stock: 100_000,
        concurrency: 8,
        durationMs: 12_000,
        maxRequests: 100_000,
        serviceToken: restaurant.config.SERVICE_TOKEN,
      })
      await new Promise((resolve) => setTimeout(resolve, 1500))
      process.kill(first.pid, 'SIGKILL')
      const killedAt = recorder.elapsedMs()
      // Back on the same port after a moment, as a supervisor or a container's restart would.
      await new Promise((resolve) => setTimeout(resolve, 500))
      await startOrder(Number(port))
      await load.done
      await restaurant.call('DELETE', '/chaos')
      const invariants = await checkInvariants(client, {
        users: load.users,
        menuId: load.menuId,
        initialStock: load.stock,
        settleTimeoutS: 30,
      })
      const orders = recorder.samples.filter((sample) => sample.endpoint === 'POST /orders')
      // What the kill left half-way, and the recoverer finished: orders it gave up as abandoned.
      const db = new pg.Client({ connectionString: database.url })
      await db.connect()
      const { rows } = await db.query<{ status: string; reason: string | null; count: string }>(
        `SELECT status, failure_reason AS reason, count(*) FROM orders GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      await db.end()
      const outcomes = Object.fromEntries(
        rows.map((row) => [`${row.status} ${row.reason ?? ''}`.trim(), Number(row.count)]),
      )
      console.log(
        `SIGKILL at ${(killedAt / 1000).toFixed(1)} s: ${orders.length} POST /orders, ` +
          `${orders.filter((sample) => sample.status === 0).length} unanswered (cut off, or refused while it was down); ` +
          `stored: ${JSON.stringify(outcomes)}`,
      )
      expect(outcomes['FAILED abandoned']).toBeGreaterThan(0)
      // It came back and took orders again.
      expect(orders.filter((sample) => sample.status === 201 && sample.at > killedAt).length).toBeGreaterThan(0)
      expect(invariants.filter((invariant) => !invariant.ok)).toEqual([])
    } finally {
      await client.close()
    }
  }, 90_000)
})
