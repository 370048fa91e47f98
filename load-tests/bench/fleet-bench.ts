/**
 * Benchmark (not a test) of the fleet against the ceilings of what it stands on, in one run on
 * this machine, each figure with its ratio to its reference:
 *   1. cached GET /menus            vs a bare Fastify hello world (the framework's ceiling)
 *   2. hot-row reserve over HTTP    vs the same lock-and-decrement transaction in a raw pg loop
 *                                     (the database's ceiling)
 *   3. POST /orders end to end (validate, price, store, reserve, pay) at fixed concurrency
 * and, beside 1, the same cached read with traces exported over OTLP (what tracing costs; without
 * an endpoint, the default, telemetry is not loaded at all).
 *
 *   npm run bench                      # 5 s per case, 20 connections
 *   BENCH_DURATION_S=10 BENCH_CONNECTIONS=50 npm run bench
 *
 * Needs PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL); uses databases of its own.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { answersSoon, freePort } from '@food/testing'
import pg from 'pg'
import { percentile } from '../src/recorder.ts'
import {
  benchDatabase,
  CONNECTIONS,
  DURATION_S,
  dropDatabases,
  type Figures,
  freshDatabases,
  measure,
  printTable,
  reserveRequests,
  seedBenchCatalogue,
  startService,
  stopAll,
} from './harness.ts'

const SERVICES = ['user', 'restaurant', 'order']

/** The restaurant's pessimistic reserve, as one raw transaction per iteration, N clients at once. */
async function rawReserveLoop(menuId: number): Promise<Figures> {
  const pool = new pg.Pool({ connectionString: benchDatabase('restaurant'), max: CONNECTIONS })
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

/** An OTLP endpoint that takes every export and throws it away: the exporter's cost, not a backend's. */
async function startTraceSink() {
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => response.end())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

let hello: ReturnType<typeof spawn> | undefined
try {
  console.log(`fleet benchmark: ${DURATION_S} s per case, ${CONNECTIONS} connections, Node ${process.version}`)
  await freshDatabases(SERVICES)
  const hotMenu = await seedBenchCatalogue()
  const helloPort = await freePort()
  hello = spawn(process.execPath, [fileURLToPath(new URL('hello-server.mjs', import.meta.url)), String(helloPort)], {
    stdio: 'inherit',
  })
  if (!(await answersSoon(`http://127.0.0.1:${helloPort}/`, hello))) throw new Error('hello server did not start')
  const pool = { DATABASE_POOL_MAX: '20' }
  const user = await startService('user', pool)
  const restaurant = await startService('restaurant', pool)
  const order = await startService('order', {
    ...pool,
    USER_SERVICE_URL: user.baseUrl,
    RESTAURANT_SERVICE_URL: restaurant.baseUrl,
  })

  const helloFigures = await measure('bare Fastify hello world', { url: `http://127.0.0.1:${helloPort}/` })
  const menus = await measure('GET /menus, cached', { url: `${restaurant.baseUrl}/menus` })
  const sink = await startTraceSink()
  const traced = await startService('restaurant', { ...pool, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url })
  const menusTraced = await measure('GET /menus, cached, traces exported', { url: `${traced.baseUrl}/menus` })
  await traced.stop()
  const sampled = await startService('restaurant', {
    ...pool,
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.1',
  })
  const menusSampled = await measure('GET /menus, cached, 10% of traces', { url: `${sampled.baseUrl}/menus` })
  await sampled.stop()
  await sink.close()
  printTable(
    '1. Cached menus against the framework ceiling',
    [helloFigures, menus, menusTraced, menusSampled],
    helloFigures,
  )

  const reserve = await measure('PUT /inventory hot row, pessimistic', {
    url: restaurant.baseUrl,
    requests: reserveRequests(hotMenu, 'http'),
  })
  const raw = await rawReserveLoop(hotMenu)
  printTable('2. Hot-row reserve against the database ceiling (same transaction)', [raw, reserve], raw)

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
  printTable(
    '3. Orders end to end (validate → price → store → reserve → pay), ratio to the hot-row reserve',
    [orders],
    reserve,
  )
} finally {
  await stopAll()
  if (hello && hello.exitCode === null) {
    hello.kill('SIGTERM')
    await once(hello, 'exit')
  }
  await dropDatabases(SERVICES)
}
