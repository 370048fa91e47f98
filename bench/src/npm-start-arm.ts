/**
 * The fleet a newcomer starts, as the bench's second arm: `node scripts/start.mjs` itself, on data of
 * its own (docs/performance.md#orders-against-their-same-work-ceiling-and-the-fleet-npm-start-runs).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { FLEET_SERVICES, SERVICE_PORTS } from '@food/config'
import { dropDatabase, withDatabase } from '@food/postgres'
import { freePorts } from '@food/testing'
import { Redis } from 'ioredis'
import { REDIS_URL, repoPath } from './harness.ts'
import { byRole, labRole, processTree } from './process-memory.ts'

const SUFFIX = '_npm_start_bench'
/** A Redis database of the arm's own, so its keys meet no other fleet's. */
const REDIS_DATABASE = 9
const ENGINE_API = 'http://127.0.0.1:8475'
const SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'

export const npmStartUrl = (service: keyof typeof SERVICE_PORTS) => `http://127.0.0.1:${SERVICE_PORTS[service]}`
export const npmStartDatabase = (service: string) => withDatabase(SERVER_URL, `${service}_db${SUFFIX}`)

const answers = async (url: string) => {
  try {
    return (await fetch(url)).ok
  } catch {
    return false
  }
}

async function flushRedis(): Promise<void> {
  const redis = new Redis(`${REDIS_URL.replace(/\/\d*$/, '')}/${REDIS_DATABASE}`)
  await redis.flushdb()
  redis.disconnect()
}

export interface NpmStartFleet {
  /** The pid of each service's process, as npm start's supervisor reports it. */
  pids: Record<'user' | 'restaurant' | 'order', number>
  launcherPid: number
  /** When it said it was up (performance.now()). */
  upAt: number
  /** Its Prometheus and Alertmanager: ports of their own, and their data in a temporary directory. */
  monitoring: { prometheusPort: number; alertmanagerPort: number; dir: string }
  stop(): Promise<void>
}

/**
 * npm start, ready; `undefined` (and why, printed) when its ports are taken. `env`: what a user
 * would set on its command line (`FAULT_PROXY=off`, `LOG_LEVEL=warn`), to see what each costs.
 * It runs as a newcomer's does: the services' TypeScript through tsx, every edge through the fault
 * proxy, the chaos planes on, the request logs on at info, through the launcher's prefixer and into
 * .fleet/logs; on databases of its own (FLEET_DATABASE_SUFFIX) and a Redis database of its own, its
 * output read and dropped as a terminal would show it. npm start's ports are fixed: when a fleet
 * already answers there, it is left alone and the arm is skipped. Its Prometheus and Alertmanager
 * (when installed) listen on free ports and keep their configuration and data in a temporary
 * directory (PROMETHEUS_PORT, ALERTMANAGER_PORT, MONITORING_DIR): another Prometheus on 9090 (a
 * user's npm start, Debian's service) would make npm start run without its own, and the repository's
 * .fleet/monitoring is a user's fleet's.
 */
export async function startNpmStart(env: Record<string, string> = {}): Promise<NpmStartFleet | undefined> {
  if (await answers(`${npmStartUrl('user')}/health`)) {
    console.log('\n(npm start arm skipped: a fleet already answers on its ports; stop it to measure this arm)')
    return undefined
  }
  await flushRedis()
  const [prometheusPort, alertmanagerPort, webhookPort, otlpPort, traceApiPort] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ]
  const monitoring = { prometheusPort, alertmanagerPort, dir: await mkdtemp(join(tmpdir(), 'npm-start-bench-')) }
  const launcher: ChildProcess = spawn(process.execPath, [repoPath('scripts/start.mjs')], {
    cwd: repoPath(''),
    env: {
      ...process.env,
      ...env,
      FLEET_DATABASE_SUFFIX: SUFFIX,
      PROMETHEUS_PORT: String(prometheusPort),
      ALERTMANAGER_PORT: String(alertmanagerPort),
      // Its Alertmanager notifies no run of the user's (npm start's runs listen on 9095).
      ALERT_WEBHOOK_PORT: String(webhookPort),
      // Traced by default, as a newcomer's is, into a trace store of its own.
      TRACE_STORE_OTLP_PORT: String(otlpPort),
      TRACE_STORE_API_PORT: String(traceApiPort),
      MONITORING_DIR: monitoring.dir,
      REDIS_URL: `${REDIS_URL.replace(/\/\d*$/, '')}/${REDIS_DATABASE}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Read as a terminal would take it, keeping only the last of it (for an error) and whether it is up.
  let output = ''
  let up = false
  const read = (chunk: string) => {
    output = (output + chunk).slice(-20_000)
    up ||= output.includes('the fleet is up')
  }
  launcher.stdout?.setEncoding('utf8').on('data', read)
  launcher.stderr?.setEncoding('utf8').on('data', read)
  const stop = async () => {
    if (launcher.exitCode === null && launcher.signalCode === null) {
      launcher.kill('SIGINT')
      await once(launcher, 'exit')
    }
    await Promise.all(FLEET_SERVICES.map((service) => dropDatabase(npmStartDatabase(service)).catch(() => {})))
    await flushRedis()
    await rm(monitoring.dir, { recursive: true, force: true })
  }
  // Installing (already done), migrating and seeding its databases, building the web front end.
  for (let i = 0; i < 600 && launcher.exitCode === null; i++) {
    if (up) break
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  if (!up) {
    await stop()
    throw new Error(`npm start did not come up:\n${output.slice(-3000)}`)
  }
  const pidOf = async (name: string) =>
    ((await (await fetch(`${ENGINE_API}/containers/${name}/json`)).json()) as { State: { Pid: number } }).State.Pid
  return {
    pids: { user: await pidOf('user'), restaurant: await pidOf('restaurant'), order: await pidOf('order') },
    launcherPid: launcher.pid ?? 0,
    upAt: performance.now(),
    monitoring,
    stop,
  }
}

/** The lab's roles in the order printed; a role with no process (MONITORING=off, FAULT_PROXY=off) prints 0. */
const LAB_ROLES = [
  ...FLEET_SERVICES.map((service) => `${service} service`),
  'launcher',
  'fault proxy',
  'web server',
  'prometheus',
  'alertmanager',
  'other',
]
/** What Prometheus and Alertmanager together may add to npm start's memory (issue #38). */
const MONITORING_GOAL_MB = 250
const MB = 1024 * 1024

/** The series in Prometheus' head block, for the reader of its memory; `undefined` when it does not answer. */
async function prometheusSeries(port: number): Promise<number | undefined> {
  try {
    const answer = (await (await fetch(`http://127.0.0.1:${port}/api/v1/status/tsdb`)).json()) as {
      data?: { headStats?: { numSeries?: number } }
    }
    return answer.data?.headStats?.numSeries
  } catch {
    return undefined
  }
}

/**
 * The memory of the whole lab npm start runs, by role (the launcher's process tree from /proc, each
 * process named by its command line: process-memory.ts), once the fleet has run `upForS` seconds at
 * least, so that Prometheus has scraped it under the load a while. PSS where smaps_rollup is
 * readable (it is for a user's own processes), else VmRSS, and says which.
 */
export async function printLabMemory(fleet: NpmStartFleet, upForS = 30): Promise<void> {
  const waitMs = fleet.upAt + upForS * 1000 - performance.now()
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs))
  const upS = (performance.now() - fleet.upAt) / 1000
  const tree = await processTree(fleet.launcherPid)
  const { roles, total } = byRole(tree, labRole)
  const series = await prometheusSeries(fleet.monitoring.prometheusPort)
  const fromStatus = tree.filter((each) => each.source === 'status').length
  console.log(
    `\n5c. The whole lab npm start runs, ${upS.toFixed(0)} s after it was up, the loads above run (MB, the launcher's process tree from /proc)`,
  )
  console.log(
    fromStatus === 0
      ? '   PSS from each process’s smaps_rollup (shared pages divided among their sharers: the column adds up); RSS beside it'
      : `   PSS from smaps_rollup, but VmRSS (as both) for ${fromStatus} of ${tree.length} processes whose smaps_rollup was unreadable`,
  )
  const megabytes = (bytes: number) => (bytes / MB).toFixed(0)
  console.log(`${'role'.padEnd(20)}${'processes'.padStart(10)}${'RSS'.padStart(8)}${'PSS'.padStart(8)}`)
  const row = (role: string, entry: { processes: number; rss: number; pss: number }) =>
    console.log(
      `${role.padEnd(20)}${String(entry.processes).padStart(10)}${megabytes(entry.rss).padStart(8)}${megabytes(entry.pss).padStart(8)}`,
    )
  const known = [...LAB_ROLES, ...roles.map((entry) => entry.role).filter((role) => !LAB_ROLES.includes(role))]
  for (const role of known) {
    row(role, roles.find((entry) => entry.role === role) ?? { processes: 0, rss: 0, pss: 0 })
  }
  row('total', total)
  const others = new Map<string, number>()
  for (const each of tree.filter((entry) => labRole(entry) === 'other')) {
    const name = basename(each.cmdline[0] ?? '?')
    others.set(name, (others.get(name) ?? 0) + 1)
  }
  if (others.size > 0) {
    console.log(`(other: ${[...others].map(([name, count]) => `${name} ×${count}`).join(', ')})`)
  }
  const monitoring = roles.filter((entry) => entry.role === 'prometheus' || entry.role === 'alertmanager')
  const pss = monitoring.reduce((sum, entry) => sum + entry.pss, 0)
  const rss = monitoring.reduce((sum, entry) => sum + entry.rss, 0)
  if (monitoring.length < 2) {
    console.log('(Prometheus or Alertmanager is not running in this npm start: not installed, or MONITORING=off)')
  }
  console.log(
    `Prometheus + Alertmanager: ${megabytes(pss)} MB PSS, ${megabytes(rss)} MB RSS (goal ≤ ${MONITORING_GOAL_MB} MB)${
      series === undefined ? '' : `; Prometheus holds ${series} series in its head block`
    }`,
  )
}
