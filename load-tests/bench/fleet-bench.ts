/**
 * Benchmark (not a test) of the fleet against the ceilings of what it stands on, in one run on
 * this machine, each figure with its ratio to its reference:
 *   1. cached GET /menus            vs a bare Fastify hello world (the framework's ceiling)
 *   2. hot-row reserve over HTTP    vs the same lock-and-decrement transaction in a raw pg loop
 *                                     (the database's ceiling)
 *   3. POST /orders end to end (validate, price, store, reserve, pay) at fixed concurrency
 * and, beside 1, the same cached read with OpenTelemetry switched off (what tracing costs).
 *
 *   npm run bench                      # 5 s per case, 20 connections
 *   BENCH_DURATION_S=10 BENCH_CONNECTIONS=50 npm run bench
 *
 * Needs PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL); uses databases of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@food/postgres'
import { answersSoon, type ChildService, freePort, spawnService } from '@food/testing'
import autocannon from 'autocannon'
import pg from 'pg'
import { percentile } from '../src/recorder.ts'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20)
const SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
const HOT_STOCK = 10_000_000
const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const databaseOf = (service: string) => withDatabase(SERVER_URL, `${service}_bench`)

interface Figures {
  name: string
  rate: number
  p50: number
  p99: number
  errors: number
}

const children: (ChildService | ChildProcess)[] = []
async function stopAll() {
  for (const child of children) {
    if ('stop' in child) await child.stop()
    else if (child.exitCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
}
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)))

async function prepareDatabases(): Promise<number> {
  for (const service of ['user', 'restaurant', 'order']) {
    await dropDatabase(databaseOf(service))
    await ensureDatabase(databaseOf(service))
    await migrate(databaseOf(service), root(`services/${service}/prisma/migrations`))
  }
  const client = new pg.Client({ connectionString: databaseOf('restaurant') })
  await client.connect()
  await client.query(`INSERT INTO restaurants (name, category, address) VALUES ('Bench', 'korean', 'Seoul')`)
  for (let i = 0; i < 20; i++) {
    await client.query(`INSERT INTO menus (restaurant_id, name, price, stock) VALUES (1, $1, 9000, 100)`, [`menu ${i}`])
  }
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO menus (restaurant_id, name, price, stock) VALUES (1, 'hot', 1000, $1) RETURNING id`,
    [HOT_STOCK],
  )
  await client.end()
  return rows[0]?.id ?? 0
}

async function start(service: string, env: Record<string, string> = {}): Promise<ChildService> {
  const child = await spawnService(root(`services/${service}`), {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    CHAOS_ENABLED: 'false',
    JWT_SECRET: 'benchmark-only-secret-of-enough-length-42',
    DATABASE_URL: databaseOf(service),
    REDIS_KEY_PREFIX: `bench:${process.pid}:${service}:`,
    DATABASE_POOL_MAX: '20',
    ...env,
  })
  children.push(child)
  return child
}

async function measure(name: string, options: autocannon.Options): Promise<Figures> {
  await autocannon({ ...options, connections: CONNECTIONS, duration: 1 }) // warm-up: pools, caches, JIT
  const result = await autocannon({ ...options, connections: CONNECTIONS, duration: DURATION_S })
  return {
    name,
    rate: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  }
}

/** The restaurant's pessimistic reserve, as one raw transaction per iteration, N clients at once. */
async function rawReserveLoop(menuId: number): Promise<Figures> {
  const pool = new pg.Pool({ connectionString: databaseOf('restaurant'), max: CONNECTIONS })
  const latencies: number[] = []
  let sequence = 0
  let errors = 0
  const deadline = performance.now() + DURATION_S * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const client = await pool.connect()
      try {
        while (performance.now() < deadline) {
          const t0 = performance.now()
          try {
            await client.query('BEGIN')
            await client.query('SELECT restaurant_id, stock, version FROM menus WHERE id = $1 FOR UPDATE', [menuId])
            await client.query('SELECT quantity, status FROM stock_reservations WHERE order_id = $1 AND menu_id = $2', [
              `raw-${sequence}`,
              menuId,
            ])
            await client.query(
              'UPDATE menus SET stock = stock - 1, version = version + 1, updated_at = now() WHERE id = $1',
              [menuId],
            )
            await client.query(
              `INSERT INTO stock_reservations (order_id, menu_id, quantity, status) VALUES ($1, $2, 1, 'RESERVED')`,
              [`raw-${sequence++}`, menuId],
            )
            await client.query('COMMIT')
          } catch {
            errors++
            await client.query('ROLLBACK')
          }
          latencies.push(performance.now() - t0)
        }
      } finally {
        client.release()
      }
    }),
  )
  await pool.end()
  const sorted = latencies.sort((a, b) => a - b)
  return {
    name: 'same transaction, raw pg loop',
    rate: latencies.length / ((performance.now() - started) / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    errors,
  }
}

function print(title: string, rows: Figures[], reference: Figures) {
  console.log(`\n${title}`)
  console.log(
    `${'case'.padEnd(40)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}${'ratio'.padStart(8)}`,
  )
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(40)}${row.rate.toFixed(0).padStart(9)}${row.p50.toFixed(1).padStart(9)}${row.p99.toFixed(1).padStart(9)}${String(row.errors).padStart(8)}${`${(row.rate / reference.rate).toFixed(2)}x`.padStart(8)}`,
    )
  }
}

try {
  console.log(`fleet benchmark: ${DURATION_S} s per case, ${CONNECTIONS} connections, Node ${process.version}`)
  const hotMenu = await prepareDatabases()
  const helloPort = await freePort()
  const hello = spawn(
    process.execPath,
    [fileURLToPath(new URL('hello-server.mjs', import.meta.url)), String(helloPort)],
    {
      cwd: root('services/restaurant'),
      stdio: 'inherit',
    },
  )
  children.push(hello)
  if (!(await answersSoon(`http://127.0.0.1:${helloPort}/`, hello))) throw new Error('hello server did not start')
  const user = await start('user')
  const restaurant = await start('restaurant')
  const order = await start('order', { USER_SERVICE_URL: user.baseUrl, RESTAURANT_SERVICE_URL: restaurant.baseUrl })

  const helloFigures = await measure('bare Fastify hello world', { url: `http://127.0.0.1:${helloPort}/` })
  const menus = await measure('GET /menus, cached', { url: `${restaurant.baseUrl}/menus` })
  const untraced = await start('restaurant', { OTEL_SDK_DISABLED: 'true' })
  const menusUntraced = await measure('GET /menus, cached, telemetry off', { url: `${untraced.baseUrl}/menus` })
  await untraced.stop()
  print('1. Cached menus against the framework ceiling', [helloFigures, menus, menusUntraced], helloFigures)

  let sequence = 0
  const reserve = await measure('PUT /inventory hot row, pessimistic', {
    url: restaurant.baseUrl,
    requests: [
      {
        method: 'PUT',
        path: `/inventory/${hotMenu}`,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ order_id: `http-${sequence++}`, quantity: 1, operation: 'reserve' }),
        }),
      },
    ],
  })
  const raw = await rawReserveLoop(hotMenu)
  print('2. Hot-row reserve against the database ceiling (same transaction)', [raw, reserve], raw)

  await fetch(`${user.baseUrl}/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
  })
  const login = (await (
    await fetch(`${user.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
    })
  ).json()) as { access_token: string }
  const orders = await measure('POST /orders end to end', {
    url: `${order.baseUrl}/orders`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${login.access_token}` },
    body: JSON.stringify({ items: [{ menu_id: hotMenu, quantity: 1 }], address: 'Seoul', phone: '010-0000-0000' }),
  })
  print(
    '3. Orders end to end (validate → price → store → reserve → pay), ratio to the hot-row reserve',
    [orders],
    reserve,
  )
} finally {
  await stopAll()
  for (const service of ['user', 'restaurant', 'order']) await dropDatabase(databaseOf(service)).catch(() => undefined)
}
