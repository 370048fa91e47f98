/**
 * A dependency fault the services do not cooperate with: PostgreSQL terminating the order
 * service's sessions (pg_terminate_backend, as a failover or an administrator does) in the middle
 * of a load. What must hold: the service's pool gets new connections, orders are answered, and
 * every invariant holds once the recoverer has run.
 */
import { startFleet, type TestFleet } from '@food/order-service/test-fleet'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FleetClient } from '../src/fleet-client.ts'
import { checkInvariants } from '../src/invariants.ts'
import { startLoad } from '../src/load.ts'
import { LOAD_PROFILES } from '../src/load-profiles.ts'
import { Recorder } from '../src/recorder.ts'

let fleet: TestFleet

beforeAll(async () => {
  fleet = await startFleet({ RECOVERY_ENABLED: 'true', RECOVERY_INTERVAL_MS: '200', PENDING_TIMEOUT_S: '2' })
  await fleet.restaurant.createMenu(1)
}, 60_000)
afterAll(() => fleet?.close())

/** Terminates every session of a database but this one's; how many. */
async function terminateSessions(databaseUrl: string): Promise<number> {
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  try {
    const { rows } = await admin.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    )
    return rows.filter((row) => row.terminated).length
  } finally {
    await admin.end()
  }
}

describe('PostgreSQL terminating the order service’s sessions under load', () => {
  it('the pool reconnects, orders are answered again, every invariant holds', async () => {
    const recorder = new Recorder()
    const client = new FleetClient(
      {
        user: fleet.user.baseUrl,
        restaurant: fleet.restaurant.baseUrl,
        order: fleet.order.baseUrl,
        restaurantInternal: fleet.restaurant.baseUrl,
      },
      recorder,
    )
    try {
      const load = await startLoad(client, recorder, {
        name: 'terminated sessions',
        iteration: LOAD_PROFILES.order.iteration,
        stock: 100_000,
        concurrency: 6,
        durationMs: 6000,
        maxRequests: 100_000,
        serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
      })
      const terminated: number[] = []
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        terminated.push(await terminateSessions(fleet.order.databaseUrl))
      }
      const terminatedAt = recorder.elapsedMs()
      await load.done
      const invariants = await checkInvariants(client, {
        users: load.users,
        menuId: load.menuId,
        initialStock: load.stock,
        settleTimeoutS: 30,
      })
      const orders = recorder.samples.filter((sample) => sample.endpoint === 'POST /orders')
      const statuses: Record<string, number> = {}
      for (const sample of orders) statuses[sample.status] = (statuses[sample.status] ?? 0) + 1
      console.log(`sessions terminated ${terminated.join(', ')}: ${orders.length} orders ${JSON.stringify(statuses)}`)
      expect(terminated.some((count) => count > 0)).toBe(true)
      // Every order got an answer, never a bare 500; after the last termination they succeed again.
      expect(orders.filter((sample) => sample.status === 0 || sample.status === 500)).toEqual([])
      expect(orders.filter((sample) => sample.status === 201 && sample.at > terminatedAt).length).toBeGreaterThan(0)
      expect(invariants.filter((invariant) => !invariant.ok)).toEqual([])
    } finally {
      await client.close()
    }
  }, 90_000)
})
