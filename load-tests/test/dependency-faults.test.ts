/**
 * Dependency faults the services do not cooperate with, in the middle of a load: PostgreSQL
 * terminating the order service's sessions (pg_terminate_backend, as a failover or an
 * administrator does), and Redis stalled for 5 s (CLIENT PAUSE, run as an experiment's action) on
 * a Redis of the test's own that the restaurant and order services use (the user service keeps
 * the shared one). What must hold: the pools get new connections, every request is answered, and
 * every invariant holds once the recoverer has run.
 */
import { startFleet, type TestFleet } from '@food/order-service/test-fleet'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readExperiment } from '../src/experiment/load-file.ts'
import { runExperiment } from '../src/experiment/run.ts'
import { FleetClient } from '../src/fleet-client.ts'
import { checkInvariants } from '../src/invariants.ts'
import { startLoad } from '../src/load.ts'
import { LOAD_PROFILES } from '../src/load-profiles.ts'
import { Recorder } from '../src/recorder.ts'
import { faultUnderLoad, phaseFigures } from './fault-experiment.ts'
import { startPrivateRedis } from './private-redis.ts'

let fleet: TestFleet
let redis: Awaited<ReturnType<typeof startPrivateRedis>>

beforeAll(async () => {
  redis = await startPrivateRedis()
  // (DEPENDENCY_FAULTS_REDIS_TIMEOUT_MS=10000 takes the Redis deadline away, to see the pause test fail.)
  const redisEnv = {
    REDIS_URL: redis.url,
    ...(process.env.DEPENDENCY_FAULTS_REDIS_TIMEOUT_MS
      ? { REDIS_COMMAND_TIMEOUT_MS: process.env.DEPENDENCY_FAULTS_REDIS_TIMEOUT_MS }
      : {}),
  }
  fleet = await startFleet(
    { RECOVERY_ENABLED: 'true', RECOVERY_INTERVAL_MS: '200', PENDING_TIMEOUT_S: '2', ...redisEnv },
    redisEnv,
  )
  await fleet.restaurant.createMenu(1)
}, 60_000)
afterAll(async () => {
  await fleet?.close()
  await redis?.stop()
})

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

describe('Redis paused 5 s (CLIENT PAUSE) under load, as an experiment', () => {
  it('every request is answered, orders go on, every invariant holds', async () => {
    const experiment = faultUnderLoad({
      title: 'Redis stalls for 5 s, and the fleet answers and keeps its data right',
      load: { profile: 'order-then-read', duration_s: 12, concurrency: 6 },
      fault: { name: 'Redis holds every command for 5 s', provider: { action: 'redis-pause', duration_s: 5 } },
      afterS: 2,
    })
    const journal = await runExperiment(
      readExperiment(JSON.stringify(experiment), 'redis-pause.json', {
        USER_URL: fleet.user.baseUrl,
        RESTAURANT_URL: fleet.restaurant.baseUrl,
        ORDER_URL: fleet.order.baseUrl,
        REDIS_URL: redis.url,
      }),
      { scale: 1, hypothesisFrequencyS: 1, serviceToken: fleet.restaurant.config.SERVICE_TOKEN },
    )
    console.log(`CLIENT PAUSE: ${JSON.stringify(journal.fault_windows)}; phases ${phaseFigures(journal)}`)
    expect(journal.fault_windows).toMatchObject([{ service: 'redis', fault: 'client-pause', value: 5 }])
    expect(journal.phases.map((phase) => phase.unanswered)).toEqual(journal.phases.map(() => 0))
    // The services gave up on Redis after REDIS_COMMAND_TIMEOUT_MS and answered from PostgreSQL:
    // nothing begun during the pause waited for its end (which a request blocked on Redis would).
    const fault = journal.phases.find((phase) => phase.phase === 'fault')
    expect(fault?.requests).toBeGreaterThan(0)
    expect(fault?.p99_ms).toBeLessThan(4000)
    expect(journal.invariants?.filter((invariant) => !invariant.ok)).toEqual([])
    expect(journal).toMatchObject({ status: 'completed', deviated: false })
  }, 90_000)
})
