/**
 * Dependency faults the services do not cooperate with, in the middle of a load: PostgreSQL
 * terminating the order service's sessions (pg_terminate_backend, as a failover or an
 * administrator does), and Redis stalled for 5 s (CLIENT PAUSE, run as an experiment's action) on
 * a Redis of the test's own that the restaurant and order services use (the user service keeps
 * the shared one). What must hold: the pools get new connections, every request is answered, and
 * every invariant holds once the recoverer has run.
 */
import { startFleet, type TestFleet } from '@food/order-service/test-fleet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readExperiment } from '../src/experiment/load-file.ts'
import { runExperiment } from '../src/experiment/run.ts'
import { DEPENDENCY_KEY } from '../src/record/answer-key.ts'
import { experimentEnv } from './experiment-env.ts'
import { faultUnderLoad, phaseFigures } from './fault-experiment.ts'
import { recordFault } from './fault-record.ts'
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

/** An experiment run against the test's fleet, its PostgreSQL and its Redis. */
const run = (experiment: object) =>
  runExperiment(
    readExperiment(JSON.stringify(experiment), 'dependency-fault.json', {
      ...experimentEnv(fleet),
      REDIS_URL: redis.url,
      POSTGRES_URL: fleet.order.databaseUrl,
    }),
    { scale: 1, hypothesisFrequencyS: 1, serviceToken: fleet.restaurant.config.SERVICE_TOKEN },
  )

describe('PostgreSQL terminating the order service’s sessions under load, as an experiment', () => {
  it('the pool reconnects, every request is answered (none a bare 500), every invariant holds', async () => {
    // Only this test's order database: other test files' order services share the server.
    const database = new URL(fleet.order.databaseUrl).pathname.slice(1)
    const terminate = { action: 'terminate-sessions', service: 'order', database }
    const journal = await run(
      faultUnderLoad({
        title: 'PostgreSQL ends the order service’s sessions three times, and nothing is lost',
        load: { profile: 'order', duration_s: 8, concurrency: 6 },
        // The first once the load runs (its users are made first), then a second apart.
        faults: [3, 1, 1].map((afterS, i) => ({ name: `sessions terminated (${i + 1})`, provider: terminate, afterS })),
      }),
    )
    const terminated = journal.run
      .filter((activity) => activity.activity.name.startsWith('sessions terminated'))
      .map((activity) => (activity.output as { terminated: number }).terminated)
    console.log(`sessions terminated ${terminated.join(', ')}: phases ${phaseFigures(journal)}`)
    expect(terminated.some((count) => count > 0)).toBe(true)
    expect(journal.fault_windows.map((window) => window.fault)).toEqual(Array(3).fill('terminate-sessions'))
    expect(journal.phases.map((phase) => phase.unanswered)).toEqual(journal.phases.map(() => 0))
    // After the last termination orders succeed again (a request may still meet a connection
    // the pool has not yet seen die).
    const recovery = journal.phases.find((phase) => phase.phase === 'recovery')
    expect(recovery?.requests).toBeGreaterThan(0)
    expect(recovery?.error_ratio).toBeLessThanOrEqual(0.05)
    expect(journal.invariants?.filter((invariant) => !invariant.ok)).toEqual([])
    expect(journal).toMatchObject({ status: 'completed', deviated: false })
  }, 90_000)
})

describe('Redis paused 5 s (CLIENT PAUSE) under load, as an experiment', () => {
  it('every request is answered, orders go on, every invariant holds', async () => {
    const experiment = faultUnderLoad({
      title: 'Redis stalls for 5 s, and the fleet answers and keeps its data right',
      load: { profile: 'order-then-read', duration_s: 12, concurrency: 6 },
      faults: [
        { name: 'Redis holds every command for 5 s', provider: { action: 'redis-pause', duration_s: 5 }, afterS: 2 },
      ],
    })
    const journal = await run(experiment)
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

describe('the dependencies’ faults in a record (the answer key)', () => {
  it('shows each one’s symptom in its window: no dead switch', async () => {
    const dead: string[] = []
    for (const [action, entry] of Object.entries(DEPENDENCY_KEY)) {
      const recorded = await recordFault(action, entry, {
        env: {
          ...experimentEnv(fleet),
          REDIS_URL: redis.url,
          POSTGRES_URL: fleet.order.databaseUrl,
        },
        serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
        // Only this test's order database: other test files' order services share the server.
        extra: {
          'terminate-sessions': { database: new URL(fleet.order.databaseUrl).pathname.slice(1) },
          'hold-lock': { database: new URL(fleet.restaurant.databaseUrl).pathname.slice(1) },
        }[action],
      })
      if (recorded.dead) dead.push(recorded.dead)
    }
    expect(dead).toEqual([])
  }, 120_000)
})
