/**
 * The three services as processes of their own, tracing with OpenTelemetry's SDK into `endpoint`
 * (OTLP/HTTP), on databases and Redis keys of the test's own: for the record's traces.jsonl tests.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChildService, createDatabaseFromTemplate, spawnService, uniqueRedisPrefix } from '@food/testing'
import { ROOT } from '@food/testing/run-cli'
import pg from 'pg'
import { inject } from 'vitest'
import { faultUnderLoad } from '../fault-experiment.ts'

export interface TracedFleet {
  services: Record<string, ChildService>
  databases: { drop: () => Promise<void> }[]
}

export async function startTraced(name: string, env: Record<string, string>, endpoint: string, fleet: TracedFleet) {
  const database = await createDatabaseFromTemplate(inject('postgresUrl'), inject('templates')[name] as string)
  fleet.databases.push(database)
  if (name === 'restaurant') {
    // A load adds its menu to an existing restaurant.
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    await client.query(`INSERT INTO restaurants (name, category, address) VALUES ('Traced', 'korean', 'Seoul')`)
    await client.end()
  }
  fleet.services[name] = await spawnService(join(ROOT, 'services', name), {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: uniqueRedisPrefix(name),
    OTEL_SERVICE_NAME: `${name}-service`,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    LOG_LEVEL: 'warn',
    ...env,
  })
  return fleet.services[name] as ChildService
}

/** The three, the order service calling the other two. */
export async function startTracedFleet(endpoint: string, fleet: TracedFleet, env: Record<string, string> = {}) {
  const [user, restaurant] = await Promise.all([
    startTraced('user', env, endpoint, fleet),
    startTraced('restaurant', env, endpoint, fleet),
  ])
  const order = await startTraced(
    'order',
    { ...env, USER_SERVICE_URL: user.baseUrl, RESTAURANT_SERVICE_URL: restaurant.baseUrl },
    endpoint,
    fleet,
  )
  return { user, restaurant, order }
}

export const stopTraced = async (fleet: TracedFleet) => {
  await Promise.all(Object.values(fleet.services).map((service) => service.stop()))
  await Promise.all(fleet.databases.map((database) => database.drop()))
}

/**
 * The traced runs' experiment, in a directory of its own: every payment fails for 3 s under two
 * users, late enough for the load to be under way (its users are made first, by services just started).
 */
export async function paymentsFailFile(title: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-traced-'))
  const file = join(dir, 'payments-fail.json')
  const experiment = faultUnderLoad({
    title,
    load: { profile: 'order', duration_s: 9, concurrency: 2 },
    faults: [
      {
        name: 'every payment fails',
        provider: { action: 'fault', service: 'order', fault: 'payment_fail', value: 100, ttl_s: 3 },
        afterS: 5,
      },
    ],
  })
  await writeFile(file, JSON.stringify(experiment))
  return { dir, file }
}
