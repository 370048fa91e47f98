/**
 * Benchmark (not a test): GET /menus cached vs uncached, and the hot-row reserve rate of each
 * locking strategy (N clients reserving 1 unit of one menu). The service runs as a child process
 * on this machine, autocannon drives it from this one; figures are printed with their ratios.
 *
 *   pnpm --filter ./services/restaurant bench            # 5 s per case, 20 clients
 *   BENCH_DURATION_S=10 BENCH_CONNECTIONS=50 pnpm --filter ./services/restaurant bench
 *
 * Needs PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL); uses a database of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@food/postgres'
import autocannon from 'autocannon'
import pg from 'pg'
import { LOCK_STRATEGIES } from '../src/config.ts'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20)
const PORT = Number(process.env.BENCH_PORT ?? 18002)
const SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
const DATABASE_URL = withDatabase(SERVER_URL, 'restaurant_bench')
const HOT_STOCK = 10_000_000
const SERVICE_DIR = fileURLToPath(new URL('..', import.meta.url))

interface Figures {
  name: string
  requestsPerSecond: number
  p50: number
  p99: number
  errors: number
}

async function prepareDatabase(): Promise<number> {
  await dropDatabase(DATABASE_URL)
  await ensureDatabase(DATABASE_URL)
  await migrate(DATABASE_URL, `${SERVICE_DIR}/prisma/migrations`)
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    await client.query(`INSERT INTO restaurants (name, category, address) VALUES ('Bench', 'korean', 'Seoul')`)
    for (let i = 0; i < 20; i++) {
      await client.query(`INSERT INTO menus (restaurant_id, name, price, stock) VALUES (1, $1, 9000, 100)`, [
        `menu ${i}`,
      ])
    }
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO menus (restaurant_id, name, price, stock) VALUES (1, 'hot', 9000, $1) RETURNING id`,
      [HOT_STOCK],
    )
    return rows[0]?.id ?? 0
  } finally {
    await client.end()
  }
}

let running: ChildProcess | undefined
// Ctrl-C must not leave a service behind on the benchmark port.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    running?.kill('SIGTERM')
    process.exit(130)
  })
}

async function startService(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: SERVICE_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      CHAOS_ENABLED: 'false',
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DATABASE_URL,
      REDIS_KEY_PREFIX: `bench:${process.pid}:`,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  running = child
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/health/ready`)).ok) return child
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  child.kill()
  throw new Error('the service did not become ready')
}

async function stopService(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM')
  if (child.exitCode === null) await once(child, 'exit')
}

async function measure(name: string, options: autocannon.Options): Promise<Figures> {
  // A short warm-up fills pools, caches and JIT before the measured run.
  await autocannon({ ...options, duration: 1 })
  const result = await autocannon({ ...options, duration: DURATION_S })
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  }
}

function print(title: string, rows: Figures[], reference: Figures): void {
  console.log(`\n${title}`)
  console.log(
    `${'case'.padEnd(34)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}${'ratio'.padStart(8)}`,
  )
  for (const row of rows) {
    const ratio = row.requestsPerSecond / reference.requestsPerSecond
    console.log(
      `${row.name.padEnd(34)}${row.requestsPerSecond.toFixed(0).padStart(10)}${row.p50.toFixed(1).padStart(9)}${row.p99.toFixed(1).padStart(9)}${String(row.errors).padStart(8)}${`${ratio.toFixed(2)}x`.padStart(8)}`,
    )
  }
}

const url = `http://127.0.0.1:${PORT}`
const hotMenu = await prepareDatabase()
console.log(`restaurant benchmark: ${DURATION_S} s per case, ${CONNECTIONS} connections, Node ${process.version}`)

const menuRuns: Figures[] = []
for (const cached of [false, true]) {
  const service = await startService({ MENU_CACHE_ENABLED: String(cached) })
  menuRuns.push(
    await measure(`GET /menus ${cached ? 'cached' : 'uncached'}`, { url: `${url}/menus`, connections: CONNECTIONS }),
  )
  await stopService(service)
}
print('GET /menus (21 menus) — ratio to uncached', menuRuns, menuRuns[0] as Figures)

const reserveRuns: Figures[] = []
for (const strategy of LOCK_STRATEGIES) {
  const service = await startService({ STOCK_LOCK_STRATEGY: strategy })
  let sequence = 0
  reserveRuns.push(
    await measure(`PUT /inventory hot row, ${strategy}`, {
      url,
      connections: CONNECTIONS,
      requests: [
        {
          method: 'PUT',
          path: `/inventory/${hotMenu}`,
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ order_id: `bench-${strategy}-${sequence++}`, quantity: 1, operation: 'reserve' }),
          }),
        },
      ],
    }),
  )
  await stopService(service)
}
print(
  `Reserve 1 unit of one menu, ${CONNECTIONS} clients — ratio to pessimistic`,
  reserveRuns,
  reserveRuns[0] as Figures,
)

const check = new pg.Client({ connectionString: DATABASE_URL })
await check.connect()
const { rows } = await check.query<{ stock: number; reserved: string }>(
  `SELECT m.stock, (SELECT COALESCE(SUM(quantity), 0) FROM stock_reservations WHERE menu_id = m.id) AS reserved
   FROM menus m WHERE m.id = $1`,
  [hotMenu],
)
await check.end()
const ledger = rows[0]
const conserved = ledger !== undefined && ledger.stock + Number(ledger.reserved) === HOT_STOCK
console.log(
  `\nhot row after the runs: stock ${ledger?.stock} + reserved ${ledger?.reserved} = ${HOT_STOCK}: ${conserved}`,
)
await dropDatabase(DATABASE_URL)
if (!conserved) process.exitCode = 1
