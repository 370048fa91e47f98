import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildToxiproxyApi, FaultProxy } from '@food/fault-proxy'
import { EDGE_NAMES } from '@food/fault-proxy/fleet-edges'
import { seedDevData, startFleet } from '@food/order-service/test-fleet'
import {
  type ChildService,
  createDatabaseFromTemplate,
  freePort,
  seedDevData as seedFleet,
  spawnService,
  startSupervised,
  uniqueRedisPrefix,
} from '@food/testing'
import { type RunningTraceStore, startTraceStore, type TraceStoreOptions } from '@food/trace-store'
import { inject } from 'vitest'
import { buildWeb } from '../build.ts'
import { buildWebApp } from '../src/app.ts'
import { loadWebConfig } from '../src/config.ts'

/**
 * The seeded fleet, and the front end built into a directory of its own, served by its server;
 * the order service's calls to the restaurant go through a fault proxy, for the console's map.
 * `webEnv` adds to the web server's environment (a test's own PROMETHEUS_URL).
 */
export async function startWebFleet(webEnv: Record<string, string> = {}) {
  const proxies = new Map<string, FaultProxy>()
  const toxiproxy = buildToxiproxyApi({ proxies })
  const toxiproxyUrl = await toxiproxy.listen({ port: 0, host: '127.0.0.1' })
  const fleet = await startFleet(
    async ({ restaurant }) => {
      const edge = new FaultProxy({
        name: 'order-restaurant',
        listen: '127.0.0.1:0',
        upstream: new URL(restaurant.baseUrl).host,
      })
      await edge.enable()
      proxies.set(edge.name, edge)
      return { RESTAURANT_SERVICE_URL: `http://${edge.view().listen}`, FAULT_PROXY_URL: toxiproxyUrl }
    },
    { FAULT_PROXY_URL: toxiproxyUrl },
  )
  await seedDevData(fleet)
  // npm start's supervisor, over a stand-in process under the order service's name (the services
  // here run in the test's process): the console's process switches go to its API.
  const supervised = await startSupervised([
    { name: 'order', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
  ])
  const staticDir = await mkdtemp(join(tmpdir(), 'web-'))
  const files = await buildWeb(staticDir)
  const web = await buildWebApp(
    loadWebConfig({
      USER_SERVICE_URL: fleet.user.baseUrl,
      RESTAURANT_SERVICE_URL: fleet.restaurant.baseUrl,
      ORDER_SERVICE_URL: fleet.order.baseUrl,
      ENGINE_URL: supervised.url,
      // No Prometheus unless a test starts its own (a free port): never npm start's on 9090.
      PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}`,
      LOG_LEVEL: 'warn',
      ...webEnv,
    }),
    staticDir,
  )
  const url = await web.listen({ port: 0, host: '127.0.0.1' })
  return {
    fleet,
    supervised,
    url,
    files,
    stockOf: async (menuId: number): Promise<number> =>
      (await fleet.restaurant.call('GET', `/inventory/${menuId}`)).body.stock,
    /** A menu in the load kitchen, as a load run makes it (the restaurant's internal routes). */
    loadMenu: async (name: string, stock = 100): Promise<number> => {
      const kitchen = await fleet.restaurant.call('POST', '/restaurants/load-kitchen')
      const menu = await fleet.restaurant.call('POST', '/menus', {
        json: { restaurant_id: kitchen.body.id, name, price: 1000, stock },
      })
      return menu.body.id
    },
    /**
     * More edges on the fault proxy, up to `total`: every edge of the fleet (each shown by its
     * service's chaos plane when that plane has the proxy), then others only the proxy lists.
     */
    addEdges: async (total: number) => {
      const names = [...EDGE_NAMES, ...Array.from({ length: total }, (_, i) => `lab-extra-${i + 1}`)]
      for (const name of names) {
        if (proxies.size >= total) break
        if (proxies.has(name)) continue
        const proxy = new FaultProxy({ name, listen: '127.0.0.1:0', upstream: new URL(fleet.restaurant.baseUrl).host })
        await proxy.enable()
        proxies.set(name, proxy)
      }
    },
    close: async () => {
      await web.close()
      await fleet.close()
      await toxiproxy.close()
      await supervised.stop()
      for (const proxy of proxies.values()) await proxy.disable()
    },
  }
}

const serviceDir = (service: string) => fileURLToPath(new URL(`../../${service}`, import.meta.url))

/** host:port of a URL (its scheme's port when none is written). */
const addressOf = (url: string, defaultPort: number) => {
  const parsed = new URL(url)
  return `${parsed.hostname}:${parsed.port || defaultPort}`
}

/** `url` with its host and port replaced by `address` (an edge's listen address). */
const through = (url: string, address: string) => {
  const parsed = new URL(url)
  const [host = '', port = ''] = address.split(':')
  parsed.hostname = host
  parsed.port = port
  return parsed.toString()
}

export interface TracedWebFleetOptions {
  /** The trace store's options (its ports are always free ones of the test's own). */
  store?: TraceStoreOptions
  /** More of the web server's environment (a test's own PROMETHEUS_URL). */
  webEnv?: Record<string, string>
}

/**
 * The fleet as npm start runs it, for the Traces, Service map and Charts pages: the three services
 * as processes of their own (OpenTelemetry's SDK loaded as in production), tracing into a trace
 * store of the test's own (free ports, never 3200/4318) and writing their JSON logs to
 * `<logDir>/<service>.log`; each service's calls to the others and to its PostgreSQL and Redis
 * through a fault proxy of the test's own (Toxiproxy's API on a free port), as npm start's edges;
 * seeded with the dev data (user / pass, menu 1 김치찌개); and the web server given TRACE_STORE_URL
 * and FLEET_LOG_DIR, as npm start gives them. By default the store keeps every trace (share 1).
 */
export async function startTracedWebFleet(options: TracedWebFleetOptions = {}) {
  const store: RunningTraceStore = await startTraceStore({
    otlpPort: 0,
    apiPort: 0,
    sampleShare: 1,
    decisionWaitMs: 1500,
    decisionTickMs: 50,
    ...options.store,
  })
  const logDir = await mkdtemp(join(tmpdir(), 'web-fleet-logs-'))
  const proxies = new Map<string, FaultProxy>()
  const toxiproxy = buildToxiproxyApi({ proxies })
  const toxiproxyUrl = await toxiproxy.listen({ port: 0, host: '127.0.0.1' })
  const databases: { drop: () => Promise<void> }[] = []
  const services: Record<string, ChildService> = {}
  const redisUrl = inject('redisUrl')
  let staticDir: string | undefined
  /** Everything started so far, stopped: the web server first, the databases last. */
  const stop = async (web?: { close(): Promise<unknown> }) => {
    await web?.close()
    await Promise.all(Object.values(services).map((service) => service.stop()))
    await toxiproxy.close()
    for (const proxy of proxies.values()) await proxy.disable()
    await store.close()
    await Promise.all(databases.map((database) => database.drop()))
    for (const dir of [logDir, staticDir]) if (dir) await rm(dir, { recursive: true, force: true })
  }

  /** A proxy for the edge `name` to `upstream` (host:port), listening on a free port; where it listens. */
  const edge = async (name: string, upstream: string) => {
    const proxy = new FaultProxy({ name, listen: '127.0.0.1:0', upstream })
    await proxy.enable()
    proxies.set(name, proxy)
    return proxy.view().listen
  }

  const start = async (name: 'user' | 'restaurant' | 'order', env: Record<string, string> = {}) => {
    const database = await createDatabaseFromTemplate(inject('postgresUrl'), inject('templates')[name] as string)
    databases.push(database)
    const databaseUrl = through(database.url, await edge(`${name}-postgres`, addressOf(database.url, 5432)))
    services[name] = await spawnService(serviceDir(name), {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL: through(redisUrl, await edge(`${name}-redis`, addressOf(redisUrl, 6379))),
      REDIS_KEY_PREFIX: uniqueRedisPrefix(name),
      FAULT_PROXY_URL: toxiproxyUrl,
      OTEL_SERVICE_NAME: `${name}-service`,
      OTEL_EXPORTER_OTLP_ENDPOINT: store.otlpUrl,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      LOG_LEVEL: 'info',
      LOG_FILE: join(logDir, `${name}.log`),
      ...env,
    })
    return { service: services[name] as ChildService, databaseUrl: database.url }
  }

  try {
    const [user, restaurant] = await Promise.all([start('user'), start('restaurant')])
    // The seed scripts write straight to the databases (not through the proxy).
    const databasesOf = { user: { databaseUrl: user.databaseUrl }, restaurant: { databaseUrl: restaurant.databaseUrl } }
    await seedFleet(databasesOf as Parameters<typeof seedFleet>[0], serviceDir)
    const order = await start('order', {
      USER_SERVICE_URL: `http://${await edge('order-user', new URL(user.service.baseUrl).host)}`,
      RESTAURANT_SERVICE_URL: `http://${await edge('order-restaurant', new URL(restaurant.service.baseUrl).host)}`,
      RECOVERY_ENABLED: 'false',
    })
    staticDir = await mkdtemp(join(tmpdir(), 'web-'))
    await buildWeb(staticDir)
    const web = await buildWebApp(
      loadWebConfig({
        USER_SERVICE_URL: user.service.baseUrl,
        RESTAURANT_SERVICE_URL: restaurant.service.baseUrl,
        ORDER_SERVICE_URL: order.service.baseUrl,
        PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}`,
        TRACE_STORE_URL: store.apiUrl,
        FLEET_LOG_DIR: logDir,
        LOG_LEVEL: 'warn',
        ...options.webEnv,
      }),
      staticDir,
    )
    const url = await web.listen({ port: 0, host: '127.0.0.1' })
    const call = async (service: 'user' | 'restaurant' | 'order', method: string, path: string, json?: unknown) => {
      const response = await fetch(`${services[service]?.baseUrl}${path}`, {
        method,
        headers: json === undefined ? {} : { 'content-type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
      })
      const text = await response.text()
      // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON the service sent
      return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as any }
    }
    return {
      url,
      web,
      store,
      logDir,
      services: services as Record<'user' | 'restaurant' | 'order', ChildService>,
      call,
      /** The dev user's Authorization header. */
      login: async () => {
        const { body } = await call('user', 'POST', '/login', { username: 'user', password: 'pass' })
        return { authorization: `Bearer ${body.access_token}` }
      },
      close: () => stop(web),
    }
  } catch (error) {
    await stop()
    throw error
  }
}

export type TracedWebFleet = Awaited<ReturnType<typeof startTracedWebFleet>>
