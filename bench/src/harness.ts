/**
 * What the benchmarks share: their databases, the services started as in production, autocannon's
 * runs and the tables that print them (docs/performance.md).
 */
import { randomBytes } from 'node:crypto'
import { readdir, readFile, rename, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@food/postgres'
import { serviceAuthorization } from '@food/service-auth'
import { type ChildService, spawnService, TYPESCRIPT_ENTRY } from '@food/testing'
import autocannon from 'autocannon'
import pg from 'pg'
import { buildCompiledTree } from './compiled-tree.ts'
import { imageRuntime } from './image-runtime.ts'
import { byRole, processTree } from './process-memory.ts'

/** The services run in production mode, which refuses the development service token. */
const SERVICE_TOKEN = randomBytes(24).toString('base64url')

export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5)
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20)
const SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export const repoPath = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
export const benchDatabase = (service: string) => withDatabase(SERVER_URL, `${service}_bench`)

export interface Figures {
  name: string
  rate: number
  p50: number
  p99: number
  errors: number
  /** When the measured run began and ended, on the monotonic clock CPU profiles count in (µs). */
  window?: { fromUs: number; toUs: number }
  /** Requests answered in the measured run. */
  requests?: number
  /** Requests answered in the warm-up and the measured run together. */
  sent?: number
  /** CPU time (user + system, µs) the processes `measure` was given spent during the measured run. */
  cpuUs?: number
  /** The same for the other processes it was given to watch (`others`: a trace store). */
  othersCpuUs?: number
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

const running = new Set<{ stop(): Promise<void> }>()
// Ctrl-C must not leave services behind on their ports.
process.once('SIGINT', () => {
  void Promise.all([...running].map((child) => child.stop())).then(() => process.exit(130))
})

/**
 * How the services run: `compiled` (the default) as the images run them, from a compiled tree
 * (built once per run, `buildCompiledTree`) with the image's NODE_OPTIONS and `CMD`; `typescript` through
 * tsx, as `npm start`.
 */
export const RUNTIME: 'typescript' | 'compiled' = process.env.BENCH_RUNTIME === 'typescript' ? 'typescript' : 'compiled'
let compiledTree: Promise<string> | undefined

/**
 * BENCH_CPU_PROFILE=<dir>: each service process writes its CPU profile there when it stops, named
 * after the service and the how-manieth start (`npm run bench:profile -- <dir>` summarises them).
 * A start may ask for its own directory (`profileDir`), as the tracing section does.
 *
 * Each start profiles into a directory of its own, and its main thread's profile is then moved to
 * `<service>-<n>.cpuprofile`: node profiles every thread of the process, and a traced service has a
 * second one (the ESM loader hooks' thread that `module.register` starts); given one file name
 * (`--cpu-prof-name`), both threads wrote it, and the hooks' thread, last to stop, overwrote the
 * service's profile with its own start-up.
 */
let profiles = 0
const profileTarget = (service: string, dir: string | undefined) => {
  const root = dir ?? process.env.BENCH_CPU_PROFILE
  if (!root) return undefined
  const name = `${service}-${++profiles}`
  return { flags: ['--cpu-prof', `--cpu-prof-dir=${resolve(root, `.${name}`)}`], root: resolve(root), name }
}

/** The main thread's profile (node names it `CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile`) moved to `<name>.cpuprofile`. */
async function keepMainThreadProfile(target: { root: string; name: string }): Promise<void> {
  const own = join(target.root, `.${target.name}`)
  const files = await readdir(own).catch(() => [] as string[])
  const main = files.find((file) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(file))
  if (main) await rename(join(own, main), join(target.root, `${target.name}.cpuprofile`))
  await rm(own, { recursive: true, force: true })
}

/** A service as in production (a child process, telemetry loaded), on its benchmark database. */
export async function startService(
  service: string,
  env: Record<string, string> = {},
  options: { profileDir?: string } = {},
): Promise<ChildService & { readyMs: number; profile?: string }> {
  compiledTree ??= RUNTIME === 'compiled' ? buildCompiledTree(repoPath('')) : undefined
  const dir = compiledTree ? `${await compiledTree}/services/${service}` : repoPath(`services/${service}`)
  const image = RUNTIME === 'compiled' ? await imageRuntime() : undefined
  const profile = profileTarget(service, options.profileDir)
  const started = performance.now()
  const child = await spawnService(
    dir,
    {
      ...(image && { NODE_OPTIONS: image.nodeOptions }),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      CHAOS_ENABLED: 'false',
      JWT_SECRET: 'benchmark-only-secret-of-enough-length-42',
      SERVICE_TOKEN,
      DATABASE_URL: benchDatabase(service),
      REDIS_KEY_PREFIX: `bench:${process.pid}:${service}:`,
      ...env,
    },
    [...(profile?.flags ?? []), ...(image?.nodeArguments ?? TYPESCRIPT_ENTRY)],
  )
  const readyMs = performance.now() - started
  const handle = {
    ...child,
    readyMs,
    ...(profile && { profile: join(profile.root, `${profile.name}.cpuprofile`) }),
    stop: async () => {
      running.delete(handle)
      await child.stop()
      if (profile) await keepMainThreadProfile(profile)
    },
  }
  running.add(handle)
  return handle
}

export const stopAll = () => Promise.all([...running].map((child) => child.stop()))

/** The CPU time (user + system, µs) the processes `pids` spent so far, from /proc (Linux; clock ticks of 10 ms). */
async function cpuUsOf(pids: number[]): Promise<number> {
  let total = 0
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    // After the command's parenthesised name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    total += (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * TICK_US
  }
  return total
}
const TICK_US = 1e6 / 100

/** The monotonic clock in µs: the one V8's CPU profiles time their samples by, in every process. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n)

/** autocannon against one case: a one-second warm-up (pools, caches, JIT), then the measured run. */
export async function measure(
  name: string,
  options: autocannon.Options,
  watch: { pids?: number[]; others?: number[] } = {},
): Promise<Figures> {
  const warmUp = await autocannon({ connections: CONNECTIONS, ...options, duration: 1 })
  const cpuBefore = await cpuUsOf(watch.pids ?? [])
  const othersBefore = await cpuUsOf(watch.others ?? [])
  const fromUs = monotonicUs()
  const result = await autocannon({ connections: CONNECTIONS, ...options, duration: DURATION_S })
  const toUs = monotonicUs()
  const cpuAfter = await cpuUsOf(watch.pids ?? [])
  const othersAfter = await cpuUsOf(watch.others ?? [])
  return {
    name,
    rate: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    window: { fromUs, toUs },
    requests: result.requests.total,
    sent: warmUp.requests.total + result.requests.total,
    ...(watch.pids && { cpuUs: cpuAfter - cpuBefore }),
    ...(watch.others && { othersCpuUs: othersAfter - othersBefore }),
  }
}

/** A table of figures, each with its ratio to `reference`; `tail`: with each row's p99 over its p50. */
export function printTable(title: string, rows: Figures[], reference: Figures, options: { tail?: boolean } = {}): void {
  console.log(`\n${title}`)
  const tail = (row: Figures) => (options.tail ? `${(row.p99 / row.p50).toFixed(1)}x`.padStart(9) : '')
  console.log(
    `${'case'.padEnd(40)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${options.tail ? 'p99/p50'.padStart(9) : ''}${'errors'.padStart(8)}${'ratio'.padStart(8)}`,
  )
  for (const row of rows) {
    const ratio = `${(row.rate / reference.rate).toFixed(2)}x`
    console.log(
      `${row.name.padEnd(40)}${row.rate.toFixed(0).padStart(9)}${row.p50.toFixed(1).padStart(9)}${row.p99.toFixed(1).padStart(9)}${tail(row)}${String(row.errors).padStart(8)}${ratio.padStart(8)}`,
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
      headers: { 'content-type': 'application/json', ...serviceAuthorization(SERVICE_TOKEN) },
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ order_id: `${tag}-${sequence++}`, quantity: 1, operation: 'reserve' }),
      }),
    },
  ]
}

export interface TreeMemory {
  /** Resident set: every page the processes have in memory, the node binary's shared ones included. */
  rss: number
  /**
   * Proportional set: each shared page divided among the processes sharing it. The services run
   * the same node binary, whose pages are in memory once: summed over services, this is what they
   * hold together (summed resident sets count those pages once per service).
   */
  pss: number
}

/** The memory of a process and all its descendants (tsx's esbuild helper included), Linux. */
export async function treeMemory(pid: number): Promise<TreeMemory> {
  const { total } = byRole(await processTree(pid), () => 'tree')
  return { rss: total.rss, pss: total.pss }
}

/** The order of a request per menu, round robin over `menuIds` (autocannon's setupRequest). */
export function orderRequests(menuIds: number[], token: string): autocannon.Request[] {
  let sequence = 0
  return [
    {
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({
          items: [{ menu_id: menuIds[sequence++ % menuIds.length], quantity: 1 }],
          address: 'Seoul',
          phone: '010-0000-0000',
        }),
      }),
    },
  ]
}

export const HOT_STOCK = 10_000_000

/**
 * A restaurant with twenty ordinary menus, one hot menu holding HOT_STOCK, and `distinct` menus
 * of HOT_STOCK each for orders that do not queue on one row; returns their ids.
 */
export async function seedBenchCatalogue(
  distinct = 0,
  databaseUrl = benchDatabase('restaurant'),
): Promise<{ hot: number; distinct: number[] }> {
  const client = new pg.Client({ connectionString: databaseUrl })
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
    const spread = await client.query<{ id: number }>(
      `INSERT INTO menus (restaurant_id, name, price, stock)
       SELECT 1, 'spread ' || n, 1000, $1 FROM generate_series(1, $2) AS n RETURNING id`,
      [HOT_STOCK, distinct],
    )
    return { hot: rows[0]?.id ?? 0, distinct: spread.rows.map((row) => row.id) }
  } finally {
    await client.end()
  }
}

/**
 * BENCH_PG_STATEMENTS=1: PostgreSQL's side of a case, from pg_stat_statements (the server must
 * load it: `shared_preload_libraries = 'pg_stat_statements'`): reset before the case, and after it
 * the statements by total time, with calls, mean time and rows; `undefined` when not asked for.
 */
export const pgStatements = process.env.BENCH_PG_STATEMENTS
  ? {
      async reset() {
        await withServer((client) => client.query('SELECT pg_stat_statements_reset()'))
      },
      async print(title: string, top = 12) {
        const { rows } = await withServer((client) =>
          client.query<{ calls: string; total_ms: number; mean_ms: number; rows: string; db: string; query: string }>(
            `SELECT s.calls, s.total_exec_time + s.total_plan_time AS total_ms, s.mean_exec_time AS mean_ms, s.rows,
                    d.datname AS db, regexp_replace(s.query, '\\s+', ' ', 'g') AS query
             FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
             WHERE d.datname LIKE '%_bench' ORDER BY total_ms DESC LIMIT $1`,
            [top],
          ),
        )
        console.log(`\n${title}: PostgreSQL's statements by total time (pg_stat_statements)`)
        console.log(`${'calls'.padStart(8)}${'total ms'.padStart(10)}${'mean ms'.padStart(9)}  database / statement`)
        for (const row of rows) {
          console.log(
            `${row.calls.padStart(8)}${row.total_ms.toFixed(0).padStart(10)}${row.mean_ms.toFixed(2).padStart(9)}  ${row.db}: ${row.query.slice(0, 110)}`,
          )
        }
      },
    }
  : undefined

async function withServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: SERVER_URL })
  await client.connect()
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
    return await work(client)
  } finally {
    await client.end()
  }
}

/** A bench user signed up on the user service at `baseUrl`, logged in: its id and Bearer token. */
export async function signUpAndLogIn(baseUrl: string): Promise<{ userId: number; token: string }> {
  const post = async (path: string) =>
    (
      await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
      })
    ).json()
  const account = (await post('/signup')) as { id: number }
  const login = (await post('/login')) as { access_token: string }
  return { userId: account.id, token: login.access_token }
}
