import { fileURLToPath } from 'node:url'
import { DEV_SERVICE_TOKEN } from '@food/config'
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@food/postgres'
import { serviceAuthorization } from '@food/service-auth'
import { type ChildService, spawnService } from '@food/testing'
import autocannon from 'autocannon'
import pg from 'pg'

export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5)
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20)
const SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'

export const repoPath = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
export const benchDatabase = (service: string) => withDatabase(SERVER_URL, `${service}_bench`)

export interface Figures {
  name: string
  rate: number
  p50: number
  p99: number
  errors: number
}

/** A fresh, migrated database of the benchmark's own for each service. */
export async function freshDatabases(services: string[]): Promise<void> {
  for (const service of services) {
    await dropDatabase(benchDatabase(service))
    await ensureDatabase(benchDatabase(service))
    await migrate(benchDatabase(service), repoPath(`services/${service}/prisma/migrations`))
  }
}

export const dropDatabases = (services: string[]) =>
  Promise.all(services.map((service) => dropDatabase(benchDatabase(service)).catch(() => undefined)))

const running = new Set<ChildService>()
// Ctrl-C must not leave services behind on their ports.
process.once('SIGINT', () => {
  void Promise.all([...running].map((child) => child.stop())).then(() => process.exit(130))
})

/** A service as in production (a child process, telemetry loaded), on its benchmark database. */
export async function startService(service: string, env: Record<string, string> = {}): Promise<ChildService> {
  const child = await spawnService(repoPath(`services/${service}`), {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    CHAOS_ENABLED: 'false',
    JWT_SECRET: 'benchmark-only-secret-of-enough-length-42',
    DATABASE_URL: benchDatabase(service),
    REDIS_KEY_PREFIX: `bench:${process.pid}:${service}:`,
    ...env,
  })
  running.add(child)
  return {
    ...child,
    stop: async () => {
      running.delete(child)
      await child.stop()
    },
  }
}

export const stopAll = () => Promise.all([...running].map((child) => child.stop()))

/** autocannon against one case: a one-second warm-up (pools, caches, JIT), then the measured run. */
export async function measure(name: string, options: autocannon.Options): Promise<Figures> {
  await autocannon({ connections: CONNECTIONS, ...options, duration: 1 })
  const result = await autocannon({ connections: CONNECTIONS, ...options, duration: DURATION_S })
  return {
    name,
    rate: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  }
}

export function printTable(title: string, rows: Figures[], reference: Figures): void {
  console.log(`\n${title}`)
  console.log(
    `${'case'.padEnd(40)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}${'ratio'.padStart(8)}`,
  )
  for (const row of rows) {
    const ratio = `${(row.rate / reference.rate).toFixed(2)}x`
    console.log(
      `${row.name.padEnd(40)}${row.rate.toFixed(0).padStart(9)}${row.p50.toFixed(1).padStart(9)}${row.p99.toFixed(1).padStart(9)}${String(row.errors).padStart(8)}${ratio.padStart(8)}`,
    )
  }
}

/** The body of a reserve of one unit for a new order each time (autocannon's setupRequest). */
export function reserveRequests(menuId: number, tag: string): autocannon.Request[] {
  let sequence = 0
  return [
    {
      method: 'PUT',
      path: `/inventory/${menuId}`,
      // The harness runs the services with the development SERVICE_TOKEN.
      headers: { 'content-type': 'application/json', ...serviceAuthorization(DEV_SERVICE_TOKEN) },
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ order_id: `${tag}-${sequence++}`, quantity: 1, operation: 'reserve' }),
      }),
    },
  ]
}

export const HOT_STOCK = 10_000_000

/** A restaurant with twenty ordinary menus and one hot menu holding HOT_STOCK; returns its id. */
export async function seedBenchCatalogue(): Promise<number> {
  const client = new pg.Client({ connectionString: benchDatabase('restaurant') })
  await client.connect()
  try {
    await client.query(`INSERT INTO restaurants (name, category, address) VALUES ('Bench', 'korean', 'Seoul')`)
    for (let i = 0; i < 20; i++) {
      await client.query(`INSERT INTO menus (restaurant_id, name, price, stock) VALUES (1, $1, 9000, 100)`, [
        `menu ${i}`,
      ])
    }
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO menus (restaurant_id, name, price, stock) VALUES (1, 'hot', 1000, $1) RETURNING id`,
      [HOT_STOCK],
    )
    return rows[0]?.id ?? 0
  } finally {
    await client.end()
  }
}
