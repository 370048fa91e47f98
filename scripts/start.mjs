// `npm start`: installs, prepares the databases, runs every service with prefixed logs; Ctrl-C stops all.

import { readFileSync } from 'node:fs'
import { ToxiproxyClient } from '../packages/fault-proxy/src/toxiproxy-client.mjs'
import { createEngineApi } from '../packages/supervisor/src/engine-api.mjs'
import { Supervisor } from '../packages/supervisor/src/supervisor.mjs'
import {
  databaseUrlFor,
  imageMemoryFlags,
  pipeWithPrefix,
  portFrom,
  ROOT,
  redisUrl,
  run,
  SERVICES,
  say,
  spawn,
  takenPorts,
  warn,
} from './lib.mjs'
import { ALERTMANAGER, monitoringPlan, monitoringPorts, monitoringStarters, PROMETHEUS } from './monitoring.mjs'
import { setup } from './setup.mjs'
import { startTraceStore, TRACE_STORE, tracePorts, tracingEnv, tracingPlan } from './traces.mjs'

const COLOURS = ['1;32', '1;35', '1;34']

async function waitUntilReady(service, children, path) {
  const url = `http://127.0.0.1:${service.port}${path}`
  for (let i = 0; i < 120 && children.every((child) => child.exitCode === null); i++) {
    try {
      if ((await fetch(url)).ok) return true
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  return false
}

/** Resolves once `url` answers 2xx; gives up when `signal` aborts. */
async function serving(url, signal) {
  while (!signal.aborted) {
    try {
      if ((await fetch(url, { signal })).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${url} did not answer`)
}

// The fault proxy (packages/fault-proxy): every edge between the services and to their PostgreSQL
// and Redis goes through it, so network faults can be put on any of them (Toxiproxy's API on 8474).
const FAULT_PROXY = {
  name: 'proxy',
  dir: 'packages/fault-proxy',
  api: `127.0.0.1:${portFrom('FAULT_PROXY_API_PORT', 8474)}`,
}
const proxyOn = () => process.env.FAULT_PROXY !== 'off'
// Prometheus and Alertmanager, when installed (MONITORING=off: without them).
let MONITORING = monitoringPlan()
let TRACING = tracingPlan()

/**
 * The ports the proxy's edges listen on, read from their one definition (fleet-edges.ts: fixed,
 * the compose stack's too); read as text, since nothing is installed yet when this runs.
 */
const edgePorts = () =>
  [
    ...readFileSync(`${ROOT}/${FAULT_PROXY.dir}/src/fleet-edges.ts`, 'utf8').matchAll(
      /'([a-z]+-[a-z]+)': \{ port: (\d+)/g,
    ),
  ].map(([, name, port]) => ({ port: Number(port), what: `the fault proxy's ${name} edge` }))

/** host:port of a URL (the port its scheme defaults to when none is written). */
const addressOf = (url, defaultPort) => {
  const parsed = new URL(url)
  return `${parsed.hostname}:${parsed.port || defaultPort}`
}

// The supervisor's Docker-Engine-like API: kill, pause, unpause and restart a service.
const ENGINE_API = { host: '127.0.0.1', port: portFrom('PROCESS_API_PORT', 8475) }

const startFaultProxy = () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: `${ROOT}/${FAULT_PROXY.dir}`,
    env: {
      ...process.env,
      FAULT_PROXY_API: FAULT_PROXY.api,
      FAULT_PROXY_FLEET: JSON.stringify({
        user: `127.0.0.1:${SERVICES[0].port}`,
        restaurant: `127.0.0.1:${SERVICES[1].port}`,
        order: `127.0.0.1:${SERVICES[2].port}`,
        postgres: addressOf(databaseUrlFor(SERVICES[0]), 5432),
        redis: addressOf(redisUrl(), 6379),
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  pipeWithPrefix(child.stdout, FAULT_PROXY.name, '1;36', process.stdout)
  pipeWithPrefix(child.stderr, FAULT_PROXY.name, '1;36', process.stderr)
  return child
}

/** The edges as the proxy made them: where each one listens. */
async function edgesListenedOn(child) {
  for (let i = 0; i < 120 && child.exitCode === null; i++) {
    try {
      return await new ToxiproxyClient(`http://${FAULT_PROXY.api}`).proxies()
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`the fault proxy did not answer on ${FAULT_PROXY.api}`)
}

/** A URL with its host and port replaced by an edge's listen address. */
const through = (url, edge) => {
  const parsed = new URL(url)
  const [host, port] = edge.listen.split(':')
  parsed.hostname = host
  parsed.port = port
  return parsed.toString()
}

/** Each service's addresses: through its edges, or (FAULT_PROXY=off) straight. */
function addressesOf(service, edges) {
  const direct = { DATABASE_URL: databaseUrlFor(service), REDIS_URL: redisUrl() }
  if (!edges) return direct
  const edge = (to) => edges[`${service.name}-${to}`]
  return {
    // The chaos plane of each service shows and switches its edges' faults there.
    FAULT_PROXY_URL: `http://${FAULT_PROXY.api}`,
    DATABASE_URL: through(direct.DATABASE_URL, edge('postgres')),
    REDIS_URL: through(direct.REDIS_URL, edge('redis')),
    ...(service.name === 'order'
      ? {
          USER_SERVICE_URL: `http://${edge('user').listen}`,
          RESTAURANT_SERVICE_URL: `http://${edge('restaurant').listen}`,
        }
      : {}),
  }
}

// The web front end (services/web): its static build, served with the /api/… prefixes on 8090.
const WEB = { name: 'web', dir: 'services/web', port: portFrom('WEB_PORT', 8090) }

/** Where the services write their log files (FLEET_LOG_DIR, where the run records read them too). */
const LOG_DIR = process.env.FLEET_LOG_DIR || `${ROOT}/.fleet/logs`

/** Every port this start listens on, and what listens there. */
const portsToListenOn = () => [
  ...SERVICES.map((service) => ({
    port: service.port,
    what: `the ${service.name} service (${service.name.toUpperCase()}_PORT)`,
  })),
  { port: WEB.port, what: 'the web front end (WEB_PORT)' },
  { port: ENGINE_API.port, what: 'the process API (PROCESS_API_PORT)' },
  ...(proxyOn()
    ? [
        { port: Number(FAULT_PROXY.api.split(':')[1]), what: "the fault proxy's API (FAULT_PROXY_API_PORT)" },
        ...edgePorts(),
      ]
    : []),
]

/**
 * Another Prometheus or Alertmanager on their ports (Debian's packages start theirs as services, a
 * compose stack publishes its own): the fleet then runs without its own, and says so.
 */
async function skipMonitoringIfTaken() {
  if (MONITORING.off) return
  const taken = await takenPorts(monitoringPorts())
  if (taken.length === 0) return
  MONITORING = {
    off: `${taken.map((entry) => `port ${entry.port} (${entry.what})`).join(' and ')} taken, by another Prometheus or Alertmanager? The fleet runs without its own (Debian starts theirs: sudo systemctl disable --now prometheus prometheus-alertmanager)`,
  }
  // Said now, before the install, and again with the fleet's addresses.
  warn(MONITORING.off)
}

/** Another program on the trace store's ports (a collector, Tempo, Jaeger): the fleet runs untraced, and says how to send there. */
async function skipTracesIfTaken() {
  if (!TRACING.store) return
  const taken = await takenPorts(tracePorts())
  if (taken.length === 0) return
  TRACING = {
    off: `${taken.map((entry) => `port ${entry.port} (${entry.what})`).join(' and ')} taken: the fleet runs without its trace store, untraced (to trace into a collector of yours: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318)`,
  }
  warn(TRACING.off)
}

/** Stops before installing anything when a port is taken: most often, a fleet already runs. */
async function refuseTakenPorts() {
  const taken = await takenPorts(portsToListenOn())
  if (taken.length === 0) return
  const fleet = taken.some((entry) => entry.fleet)
  console.error(
    fleet
      ? 'start failed: a fleet is already running here (GET /health answers); stop it first (Ctrl-C where it runs)'
      : 'start failed: ports this fleet listens on are taken by another program',
  )
  for (const entry of taken) {
    console.error(`  port ${entry.port}: ${entry.what}, ${entry.fleet ? 'a fleet answers there' : 'taken'}`)
  }
  console.error(
    // The proxy's edges listen on fixed ports: a second fleet runs without it.
    '  to run beside it: FAULT_PROXY=off and other ports (USER_PORT, RESTAURANT_PORT, ORDER_PORT, WEB_PORT, PROCESS_API_PORT)',
  )
  process.exit(1)
}

function buildWeb() {
  say('building the web front end')
  run(process.execPath, ['--import', 'tsx', 'build.ts'], { cwd: `${ROOT}/${WEB.dir}` })
}

/** The web server is npm start's gateway: it reaches each service through its `gateway-<service>` edge. */
function startWeb(edges) {
  const toService = (service) =>
    edges ? `http://${edges[`gateway-${service.name}`].listen}` : `http://127.0.0.1:${service.port}`
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: `${ROOT}/${WEB.dir}`,
    env: {
      LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json',
      ...process.env,
      PORT: String(WEB.port),
      USER_SERVICE_URL: toService(SERVICES[0]),
      RESTAURANT_SERVICE_URL: toService(SERVICES[1]),
      ORDER_SERVICE_URL: toService(SERVICES[2]),
      ENGINE_URL: `http://${ENGINE_API.host}:${ENGINE_API.port}`,
      // The Traces pages: the trace store's Tempo API, and the services' log files for a trace's lines.
      ...(TRACING.store ? { TRACE_STORE_URL: `http://127.0.0.1:${TRACE_STORE.apiPort}` } : {}),
      FLEET_LOG_DIR: LOG_DIR,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  pipeWithPrefix(child.stdout, WEB.name, '1;33', process.stdout)
  pipeWithPrefix(child.stderr, WEB.name, '1;33', process.stderr)
  return child
}

function startService(service, i, edges) {
  const nodeArguments = [
    ...imageMemoryFlags(),
    '--import',
    'tsx',
    '--import',
    '@food/telemetry/register',
    'src/server.ts',
  ]
  const child = spawn(process.execPath, nodeArguments, {
    cwd: `${ROOT}/${service.dir}`,
    env: {
      NODE_ENV: 'development',
      LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json',
      OTEL_SERVICE_NAME: `${service.name}-service`,
      // Traced into npm start's trace store, unless TRACING=off or the user's OTEL_* say elsewhere.
      ...tracingEnv(TRACING),
      // Promtail of infra/docker-compose.yml ships these files to Loki.
      LOG_FILE: `${LOG_DIR}/${service.name}.log`,
      ...process.env,
      PORT: String(service.port),
      ...addressesOf(service, edges),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const colour = COLOURS[i % COLOURS.length]
  pipeWithPrefix(child.stdout, service.name, colour, process.stdout)
  pipeWithPrefix(child.stderr, service.name, colour, process.stderr)
  return child
}

async function main() {
  await refuseTakenPorts()
  await skipMonitoringIfTaken()
  await skipTracesIfTaken()
  await setup()
  buildWeb()
  // Until the fleet is first up, a child that exits is a misconfiguration: everything stops. Once
  // it is up, the supervisor starts again whatever exits, as `restart: unless-stopped` would.
  let ready = false
  let stopping = false
  const supervisor = new Supervisor({ log: (line) => warn(line) })
  const engine = createEngineApi(supervisor, { refused: [FAULT_PROXY.name], token: process.env.CHAOS_TOKEN })
  const stop = (code) => {
    if (stopping) return
    stopping = true
    say('stopping the fleet')
    engine.close()
    supervisor.stopAll().then(() => process.exit(code))
  }
  const supervise = (name, start, readyUrl) =>
    supervisor.add({
      name,
      // A restart through the process API answers once the program serves again, as Docker's waits for the start.
      ...(readyUrl ? { ready: (signal) => serving(readyUrl, signal) } : {}),
      start: () => {
        const started = start()
        started.once('exit', (code, signal) => {
          if (ready || stopping) return
          warn(`${name} exited with ${code ?? signal} while the fleet started; stopping the others`)
          stop(1)
        })
        return started
      },
    })
  process.on('SIGINT', () => stop(0))
  process.on('SIGTERM', () => stop(0))

  // First, so that the services' first spans find it.
  if (TRACING.store) {
    supervise(
      TRACE_STORE.name,
      () => {
        const child = startTraceStore()
        pipeWithPrefix(child.stdout, TRACE_STORE.name, '1;34', process.stdout)
        pipeWithPrefix(child.stderr, TRACE_STORE.name, '1;34', process.stderr)
        return child
      },
      `http://127.0.0.1:${TRACE_STORE.apiPort}/ready`,
    )
  }
  const proxyChild = !proxyOn() ? undefined : supervise(FAULT_PROXY.name, startFaultProxy)
  const edges = proxyChild ? await edgesListenedOn(proxyChild) : undefined
  for (const [i, service] of SERVICES.entries()) {
    supervise(service.name, () => startService(service, i, edges), `http://127.0.0.1:${service.port}/health/ready`)
  }
  supervise(WEB.name, () => startWeb(edges), `http://127.0.0.1:${WEB.port}/health`)
  const monitoring = MONITORING.off ? [] : [PROMETHEUS, ALERTMANAGER]
  const starters = MONITORING.off ? {} : monitoringStarters(MONITORING)
  for (const tool of monitoring) {
    supervise(tool.name, starters[tool.name], `http://127.0.0.1:${tool.port}/-/ready`)
  }
  await new Promise((resolve, reject) => {
    engine.once('error', reject)
    engine.listen(ENGINE_API.port, ENGINE_API.host, resolve)
  })
  const children = [...supervisor.processes.values()].map((entry) => entry.child)

  for (const service of SERVICES) {
    if (!(await waitUntilReady(service, children, '/health/ready'))) return
  }
  if (!(await waitUntilReady(WEB, children, '/health'))) return
  for (const tool of monitoring) {
    if (!(await waitUntilReady(tool, children, '/-/ready'))) return
  }
  if (TRACING.store && !(await waitUntilReady({ port: TRACE_STORE.apiPort }, children, '/ready'))) return
  ready = true
  say('the fleet is up (Ctrl-C stops it)')
  console.log(`  web         http://localhost:${WEB.port}   (the shop, my orders, the chaos console)`)
  for (const service of SERVICES) {
    console.log(
      `  ${service.name.padEnd(11)} http://localhost:${service.port}   docs: http://localhost:${service.port}/docs   redoc: /redoc`,
    )
  }
  if (edges) {
    console.log(
      `  edges:      ${Object.keys(edges).length} through the fault proxy (Toxiproxy's API: http://${FAULT_PROXY.api.replace('127.0.0.1', 'localhost')}/proxies; FAULT_PROXY=off: straight)`,
    )
  }
  if (MONITORING.off) warn(MONITORING.off)
  else {
    console.log(
      `  prometheus  http://localhost:${PROMETHEUS.port}/alerts   (the SLOs' and causes' alerts: docs/alerts.md)`,
    )
    console.log(`  alertmanager http://localhost:${ALERTMANAGER.port}`)
  }
  if (TRACING.store)
    console.log(
      `  traces      http://localhost:${TRACE_STORE.apiPort}   (Tempo's API: /api/search, /api/traces/<id>; OTLP on :${TRACE_STORE.otlpPort}; TRACING=off: none)`,
    )
  else if (TRACING.elsewhere) console.log(`  traces      sent to ${TRACING.elsewhere} (OTEL_EXPORTER_OTLP_ENDPOINT)`)
  else warn(TRACING.off)
  console.log(
    `  processes:  supervised, restarted when they exit (kill, pause, restart: http://localhost:${ENGINE_API.port}/containers/json)`,
  )
  console.log(
    `  try:        curl -s -X POST localhost:8001/login -H 'Content-Type: application/json' -d '{"username": "user", "password": "pass"}'`,
  )
}

main().catch((error) => {
  console.error(`start failed: ${error.message}`)
  process.exit(1)
})
