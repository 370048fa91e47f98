import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FLEET_SERVICES } from '@food/config'
import { EDGE_NAMES } from '@food/fault-proxy/fleet-edges'
import { freePorts } from '@food/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INFRA } from '../test/config-files.ts'
import { findCompose, mustRun, renderCompose, runCommand } from './compose.ts'

/**
 * `docker compose up --build` for real: the three service images built from the Dockerfile and the
 * gateway's from nginx/Dockerfile, the
 * application stack of the project's compose definition started on a real engine (PostgreSQL,
 * Redis, the services, the NGINX gateway, Prometheus; the Grafana, Loki, Promtail and Tempo
 * images are left out, they cannot be pulled everywhere), then used through the gateway as a
 * user would, and broken as a chaos engineer would: network faults on its edges (every one goes
 * through the fault proxy) and a service's container killed through the engine's own socket, as
 * an experiment. Host ports are free ones, so a fleet already running is never disturbed.
 */
const ROOT = join(INFRA, '..')
const SERVICES = FLEET_SERVICES
const STACK = ['secrets', 'postgres', 'redis', 'fault-proxy', ...SERVICES, 'gateway', 'prometheus', 'alertmanager']
// Every one but `secrets`, which makes the secrets and exits.
const LONG_RUNNING = STACK.filter((service) => service !== 'secrets')
const PROJECT = `fleet-test-${randomBytes(3).toString('hex')}`

let compose: (args: string[]) => Promise<string>
let composeFile: string
let gateway: string
let prometheus: string
let faultProxy: string
let ports: Record<string, number>
const env: NodeJS.ProcessEnv = { ...process.env }

interface PrometheusTarget {
  labels: { job: string; instance: string }
  health: string
}

const containerOf = async (service: string) => (await compose(['ps', '-q', service])).trim()

async function health(service: string): Promise<string> {
  const id = await containerOf(service)
  if (!id) return 'absent'
  return (
    await mustRun('docker', [
      'inspect',
      '-f',
      '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}',
      id,
    ])
  ).trim()
}

async function everyServiceHealthy(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let states: string[] = []
  while (Date.now() < deadline) {
    states = await Promise.all(LONG_RUNNING.map(async (service) => `${service}: ${await health(service)}`))
    if (states.every((state) => state.endsWith(': healthy'))) return
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  throw new Error(`not healthy in ${timeoutMs / 1000} s: ${states.join(', ')}`)
}

async function call(method: string, path: string, body?: unknown, token?: string, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...extra }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (token) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${gateway}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field
  return { status: response.status, body: (await response.json()) as any }
}

const stockOf = async (menuId: number): Promise<number> =>
  (await call('GET', `/api/restaurants/menus/${menuId}`)).body.stock

async function logIn(): Promise<string> {
  const login = await call('POST', '/api/users/login', { username: 'user', password: 'pass' })
  expect(login.status).toBe(200)
  return login.body.access_token
}

beforeAll(async () => {
  const engine = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'])
  if (engine.code !== 0) {
    throw new Error(
      `no Docker engine answers (docker info: ${engine.output.trim()}). Start one first: Docker Desktop, ` +
        '`sudo systemctl start docker`, or on the project machines `bash ../shared/docker/engine.sh`.',
    )
  }
  const found = await findCompose()
  console.log(`Docker engine ${engine.output.trim()}, Compose ${found.version}, project ${PROJECT}`)
  const dir = await mkdtemp(join(tmpdir(), 'fleet-compose-'))
  composeFile = join(dir, 'docker-compose.yml')
  await writeFile(composeFile, renderCompose(join(ROOT, 'docker-compose.yml'), STACK))
  // Distinct ports: compose publishes them all at once.
  const [gatewayPort, userPort, restaurantPort, orderPort, prometheusPort, faultProxyPort, alertmanagerPort] =
    await freePorts(7)
  ports = {
    GATEWAY: gatewayPort,
    USER: userPort,
    RESTAURANT: restaurantPort,
    ORDER: orderPort,
    PROMETHEUS: prometheusPort,
    FAULT_PROXY: faultProxyPort,
    ALERTMANAGER: alertmanagerPort,
  } as Record<string, number>
  for (const [name, port] of Object.entries(ports)) env[`${name}_HOST_PORT`] = String(port)
  gateway = `http://127.0.0.1:${ports.GATEWAY}`
  prometheus = `http://127.0.0.1:${ports.PROMETHEUS}`
  faultProxy = `http://127.0.0.1:${ports.FAULT_PROXY}`
  compose = (args) => mustRun(found.command, [...found.prefix, '-p', PROJECT, '-f', composeFile, ...args], env)

  const buildStarted = Date.now()
  await compose(['build', ...SERVICES, 'fault-proxy', 'gateway'])
  console.log(`images built in ${Math.round((Date.now() - buildStarted) / 1000)} s`)
  const upStarted = Date.now()
  await compose(['up', '-d'])
  await everyServiceHealthy(180_000)
  console.log(`stack healthy ${Math.round((Date.now() - upStarted) / 1000)} s after up`)
}, 900_000)

afterAll(async () => {
  if (!compose) return
  const states = await Promise.all(
    LONG_RUNNING.map(async (service) => `${service}: ${await health(service).catch(() => '?')}`),
  )
  if (!states.every((state) => state.endsWith(': healthy'))) {
    console.log(`states at the end: ${states.join(', ')}`)
    console.log(await compose(['logs', '--no-color', '--tail', '40']).catch((error: Error) => error.message))
  }
  await compose(['down', '-v', '--remove-orphans'])
}, 120_000)

describe('the application stack on a real Docker engine', () => {
  it('runs compiled JavaScript on production dependencies only, in small images', async () => {
    for (const service of SERVICES) {
      const id = await containerOf(service)
      const image = (await mustRun('docker', ['inspect', '-f', '{{.Image}}', id])).trim()
      const bytes = Number((await mustRun('docker', ['image', 'inspect', '-f', '{{.Size}}', image])).trim())
      console.log(`image of ${service}: ${(bytes / 1e6).toFixed(0)} MB`)
      const command = (await mustRun('docker', ['inspect', '-f', '{{json .Config.Cmd}}', id])).trim()
      expect(JSON.parse(command)).toEqual([
        'node',
        '--heap-growing-percent=30',
        '--import',
        '@food/telemetry/register',
        'src/server.js',
      ])
      // No TypeScript outside node_modules, no development tool inside it.
      const listing = await mustRun('docker', [
        'exec',
        id,
        'sh',
        '-c',
        'find /app -name node_modules -prune -o -name "*.ts" -print; ls /app/node_modules/.pnpm | grep -E "^(prisma|typescript|tsx|vitest|esbuild|@biomejs|testcontainers)@" || true',
      ])
      expect(listing.trim()).toBe('')
    }
  })

  it('takes an order through the gateway, reads it back, cancels it and gives the stock back', async () => {
    const token = await logIn()
    const before = await stockOf(1)
    const order = await call(
      'POST',
      '/api/orders/orders',
      { items: [{ menu_id: 1, quantity: 2 }], address: 'Seoul', phone: '010-1234-5678' },
      token,
    )
    expect(order.status).toBe(201)
    expect(order.body.status).toBe('CONFIRMED')
    expect(await stockOf(1)).toBe(before - 2)

    const read = await call('GET', `/api/orders/orders/${order.body.id}`, undefined, token)
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({ id: order.body.id, status: 'CONFIRMED', total_price: order.body.total_price })

    const cancelled = await call('POST', `/api/orders/orders/${order.body.id}/cancel`, undefined, token)
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.status).toBe('CANCELLED')
    expect(await stockOf(1)).toBe(before)
  })

  it('serves the web front end from the gateway image at /, with the types a browser runs', async () => {
    const page = await fetch(`${gateway}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<script type="module" src="app.js">')
    const script = await fetch(`${gateway}/app.js`)
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/^application\/javascript/)
    // The same origin reaches the API under the front end's prefixes.
    expect((await fetch(`${gateway}/api/restaurant/menus/1`)).status).toBe(200)
  })

  it('writes each service’s log file on the shared log volume', async () => {
    for (const service of SERVICES) {
      const id = await containerOf(service)
      const lines = await mustRun('docker', ['exec', id, 'sh', '-c', `wc -l < /var/log/fleet/${service}.log`])
      expect(Number(lines.trim())).toBeGreaterThan(0)
    }
  })

  it('guards the chaos switches with the token the secrets service made, not one written anywhere', async () => {
    const token = (
      await mustRun('docker', ['exec', await containerOf('user'), 'cat', '/run/fleet-secrets/chaos-token'])
    ).trim()
    expect(token).toMatch(/^[\w-]{43}$/)
    const denied = await call('POST', '/api/users/chaos/delay', { delay_ms: 100, ttl_s: 5 })
    expect(denied.status).toBe(401)
    expect(denied.body.error.code).toBe('CHAOS_TOKEN_INVALID')
    const headers = { 'x-chaos-token': token }
    expect((await call('POST', '/api/users/chaos/delay', { delay_ms: 100, ttl_s: 5 }, undefined, headers)).status).toBe(
      200,
    )
    expect((await call('GET', '/api/users/chaos')).body.faults.delay.value).toBe(100)
    expect((await call('DELETE', '/api/users/chaos', undefined, undefined, headers)).status).toBe(200)
  })

  it('is scraped by Prometheus: every service target is up', async () => {
    await expect
      .poll(
        async () => {
          const answer = await fetch(`${prometheus}/api/v1/targets?state=active`)
          const targets = (await answer.json()) as { data: { activeTargets: PrometheusTarget[] } }
          return targets.data.activeTargets
            .filter((target) => target.labels.job.endsWith('-service'))
            .filter((target) => !target.labels.instance.startsWith('host.docker.internal'))
            .map((target) => `${target.labels.job} ${target.labels.instance} ${target.health}`)
            .sort()
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toEqual(['order-service order:8003 up', 'restaurant-service restaurant:8002 up', 'user-service user:8001 up'])
  })

  it('has Prometheus load the SLOs’ and causes’ rules and send to Alertmanager', async () => {
    await expect
      .poll(
        async () => {
          const rules = (await (await fetch(`${prometheus}/api/v1/rules?type=alert`)).json()) as {
            data: { groups: { rules: { name: string }[] }[] }
          }
          const names = new Set(rules.data.groups.flatMap((group) => group.rules.map((rule) => rule.name)))
          const managers = (await (await fetch(`${prometheus}/api/v1/alertmanagers`)).json()) as {
            data: { activeAlertmanagers: { url: string }[] }
          }
          return {
            sloAndCause: names.has('OrdersAnsweredBudgetBurn') && names.has('ServiceDown'),
            alertmanagers: managers.data.activeAlertmanagers.length,
          }
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toEqual({ sloAndCause: true, alertmanagers: 1 })
    const status = await fetch(`http://127.0.0.1:${ports.ALERTMANAGER}/api/v2/status`)
    expect(status.status).toBe(200)
  })

  it('reports each service container’s memory after the flows above (compiled JavaScript, production mode)', async () => {
    const usage: Record<string, number> = {}
    for (const service of SERVICES) {
      const stats = await mustRun(
        'docker',
        ['stats', '--no-stream', '--format', '{{.MemUsage}}', await containerOf(service)],
        env,
      )
      const [, amount = '0', unit = 'MiB'] = /^([\d.]+)\s*([KMG]i?B)/.exec(stats.trim()) ?? []
      usage[service] = Number(amount) * (({ KiB: 1 / 1024, MiB: 1, GiB: 1024 } as Record<string, number>)[unit] ?? 1)
    }
    const together = Object.values(usage).reduce((sum, value) => sum + value, 0)
    console.log(
      `memory after the flows: ${SERVICES.map((service) => `${service} ${usage[service]?.toFixed(0)} MiB`).join(', ')}; together ${together.toFixed(0)} MiB`,
    )
    for (const service of SERVICES) expect(usage[service]).toBeGreaterThan(0)
  })

  it('recovers when a service container restarts: orders go through again', async () => {
    const started = Date.now()
    await compose(['restart', 'restaurant'])
    await everyServiceHealthy(120_000)
    console.log(`restaurant restarted and healthy in ${Math.round((Date.now() - started) / 1000)} s`)
    const token = await logIn()
    const statuses: number[] = []
    await expect
      .poll(
        async () => {
          const order = await call(
            'POST',
            '/api/orders/orders',
            { items: [{ menu_id: 2, quantity: 1 }], address: 'Seoul', phone: '010-1234-5678' },
            token,
          )
          statuses.push(order.status)
          return order.status
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(201)
    console.log(`orders after the restart answered ${statuses.join(', ')}`)
  })
})

/** A secret the `secrets` service made, as a service container reads it. */
const secret = async (name: string) =>
  (await mustRun('docker', ['exec', await containerOf('user'), 'cat', `/run/fleet-secrets/${name}`])).trim()

/** How many of the stored orders have each status (and failure reason), from the order database. */
async function storedOutcomes(): Promise<Record<string, number>> {
  const rows = await mustRun('docker', [
    'exec',
    await containerOf('postgres'),
    'psql',
    '-U',
    'postgres',
    '-d',
    'order_db',
    '-At',
    '-F',
    ' ',
    '-c',
    "SELECT status || coalesce(' ' || failure_reason, ''), count(*) FROM orders GROUP BY 1",
  ])
  return Object.fromEntries(
    rows
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const at = line.lastIndexOf(' ')
        return [line.slice(0, at), Number(line.slice(at + 1))]
      }),
  )
}

describe('faults the stack does not cooperate with', () => {
  it('runs every edge through the fault proxy, whose Toxiproxy API only the host’s loopback reaches', async () => {
    const proxies = (await (await fetch(`${faultProxy}/proxies`)).json()) as Record<string, { upstream: string }>
    expect(Object.keys(proxies).sort()).toEqual([...EDGE_NAMES].sort())
    expect(proxies['order-restaurant']?.upstream).toBe('restaurant:8002')
    expect(proxies['gateway-user']?.upstream).toBe('user:8001')
    expect(proxies['order-postgres']?.upstream).toBe('postgres:5432')
  })

  it('slows order → restaurant by a latency set through the order service’s chaos plane, until it is cleared', async () => {
    const headers = { 'x-chaos-token': await secret('chaos-token') }
    const token = await logIn()
    const placeOrder = async () => {
      const started = Date.now()
      const order = await call(
        'POST',
        '/api/orders/orders',
        { items: [{ menu_id: 1, quantity: 1 }], address: 'Seoul', phone: '010-1234-5678' },
        token,
      )
      return { status: order.status, ms: Date.now() - started }
    }
    const set = await call(
      'POST',
      '/api/orders/chaos/network/order-restaurant/toxics',
      { type: 'latency', attributes: { latency: 700 }, ttl_s: 60 },
      undefined,
      headers,
    )
    expect(set.status).toBe(200)
    const view = await call('GET', '/api/orders/chaos')
    expect(view.body.network.edges['order-restaurant'].toxics).toEqual([
      expect.objectContaining({ type: 'latency', attributes: expect.objectContaining({ latency: 700 }) }),
    ])
    const slow = await placeOrder()
    expect((await call('DELETE', '/api/orders/chaos', undefined, undefined, headers)).status).toBe(200)
    const fast = await placeOrder()
    console.log(`an order with 700 ms on order → restaurant: ${slow.ms} ms; cleared: ${fast.ms} ms`)
    expect(slow.status).toBe(201)
    expect(fast.status).toBe(201)
    // The order calls the restaurant service at least twice (its menus, then the reserve).
    expect(slow.ms).toBeGreaterThanOrEqual(1400)
    expect(fast.ms).toBeLessThan(slow.ms - 1000)
  })

  it('takes the gateway’s edge to the user service down: the gateway answers 503 for it alone, then again', async () => {
    const headers = { 'content-type': 'application/json', 'x-chaos-token': await secret('chaos-token') }
    // Switched on the user service's own port: with its edge down, the gateway cannot reach it.
    const userPlane = `http://127.0.0.1:${ports.USER}/chaos/network/gateway-user`
    const down = await fetch(userPlane, {
      method: 'POST',
      headers,
      body: JSON.stringify({ enabled: false, ttl_s: 60 }),
    })
    expect(down.status).toBe(200)
    const user = await call('GET', '/api/users/health')
    expect(user).toEqual({
      status: 503,
      body: expect.objectContaining({ error: expect.objectContaining({ code: 'DEPENDENCY_UNAVAILABLE' }) }),
    })
    expect((await call('GET', '/api/restaurants/menus/1')).status).toBe(200)
    const up = await fetch(userPlane, { method: 'POST', headers, body: JSON.stringify({ enabled: true }) })
    expect(up.status).toBe(200)
    // NGINX counts the failures against its upstream for fail_timeout (10 s), then tries it again.
    await expect
      .poll(async () => (await call('GET', '/api/users/health')).status, { timeout: 30_000, interval: 1000 })
      .toBe(200)
  })

  it('kills the order service’s container mid-load through the engine’s socket: it comes back, the stock adds up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-experiment-'))
    const file = join(dir, 'kill-order.json')
    await writeFile(
      file,
      JSON.stringify({
        title: 'The order service’s container killed under load, and nothing is lost',
        'steady-state-hypothesis': {
          title: 'The stock adds up',
          probes: [{ type: 'probe', name: 'the stock adds up', tolerance: true, provider: { type: 'invariants' } }],
        },
        method: [
          {
            type: 'action',
            name: 'orders from 6 users for 25 s',
            background: true,
            provider: { type: 'fleet', action: 'load', profile: 'order-then-read', duration_s: 25, concurrency: 6 },
          },
          {
            type: 'action',
            name: 'SIGKILL to the order service',
            pauses: { before: 8 },
            provider: { type: 'fleet', action: 'kill', service: 'order' },
          },
        ],
        rollbacks: [{ type: 'action', name: 'clear every fault', provider: { type: 'fleet', action: 'clear-faults' } }],
      }),
    )
    const before = await storedOutcomes()
    const journalFile = join(dir, 'journal.json')
    const run = await runCommand(
      'npm',
      ['run', '-s', 'experiment', '--', file, '--journal', journalFile, '--out', join(dir, 'bundle')],
      {
        ...process.env,
        USER_URL: `http://127.0.0.1:${ports.USER}`,
        RESTAURANT_URL: `http://127.0.0.1:${ports.RESTAURANT}`,
        ORDER_URL: `http://127.0.0.1:${ports.ORDER}`,
        TOXIPROXY_URL: faultProxy,
        FLEET_ENGINE_URL: 'unix:///var/run/docker.sock',
        COMPOSE_PROJECT_NAME: PROJECT,
        CHAOS_TOKEN: await secret('chaos-token'),
        SERVICE_TOKEN: await secret('service-token'),
      },
      ROOT,
    )
    const journal = JSON.parse(await readFile(journalFile, 'utf8'))
    const outcomes = await storedOutcomes()
    console.log(
      `SIGKILL under compose: ${JSON.stringify(journal.fault_windows)}; kill ${JSON.stringify(journal.run.find((activity: { activity: { name: string } }) => activity.activity.name.startsWith('SIGKILL'))?.output)}; stored before ${JSON.stringify(before)}, after ${JSON.stringify(outcomes)}`,
    )
    expect(run.code, run.output).toBe(0)
    expect(journal).toMatchObject({ status: 'completed', deviated: false })
    expect(journal.fault_windows).toContainEqual(
      expect.objectContaining({ service: 'order', fault: 'kill', value: 'SIGKILL', ended_by: 'back' }),
    )
    expect(journal.invariants.filter((invariant: { ok: boolean }) => !invariant.ok)).toEqual([])
    expect(outcomes.PENDING).toBeUndefined()
    expect(await health('order')).toBe('healthy')
  }, 180_000)
})
