/**
 * The fleet a newcomer starts, as the bench's second arm: `node scripts/start.mjs` itself, on data of
 * its own (docs/performance.md#orders-against-their-same-work-ceiling-and-the-fleet-npm-start-runs).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { FLEET_SERVICES, SERVICE_PORTS } from '@food/config'
import { dropDatabase, withDatabase } from '@food/postgres'
import { Redis } from 'ioredis'
import { REDIS_URL, repoPath } from './harness.ts'

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
  stop(): Promise<void>
}

/**
 * npm start, ready; `undefined` (and why, printed) when its ports are taken. `env`: what a user
 * would set on its command line (`FAULT_PROXY=off`, `LOG_LEVEL=warn`), to see what each costs.
 * It runs as a newcomer's does: the services' TypeScript through tsx, every edge through the fault
 * proxy, the chaos planes on, the request logs on at info, through the launcher's prefixer and into
 * .fleet/logs; on databases of its own (FLEET_DATABASE_SUFFIX) and a Redis database of its own, its
 * output read and dropped as a terminal would show it. npm start's ports are fixed: when a fleet
 * already answers there, it is left alone and the arm is skipped.
 */
export async function startNpmStart(env: Record<string, string> = {}): Promise<NpmStartFleet | undefined> {
  if (await answers(`${npmStartUrl('user')}/health`)) {
    console.log('\n(npm start arm skipped: a fleet already answers on its ports; stop it to measure this arm)')
    return undefined
  }
  await flushRedis()
  const launcher: ChildProcess = spawn(process.execPath, [repoPath('scripts/start.mjs')], {
    cwd: repoPath(''),
    env: {
      ...process.env,
      ...env,
      FLEET_DATABASE_SUFFIX: SUFFIX,
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
    stop,
  }
}
