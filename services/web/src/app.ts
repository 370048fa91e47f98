import type { IncomingHttpHeaders } from 'node:http'
import httpProxy from '@fastify/http-proxy'
import fastifyStatic from '@fastify/static'
import { errorBody } from '@food/errors'
import { createLogger } from '@food/logger'
import { guardRequests } from '@food/service-kit'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { readAlerts } from './alerts.ts'
import { chartRoutes, KeptTraces } from './charts.ts'
import type { WebConfig } from './config.ts'
import { FleetWatch } from './fleet-watch.ts'
import { logRoutes } from './logs.ts'
import { PrometheusClient } from './prometheus.ts'
import { loadRunbooks } from './runbooks.ts'
import { serviceMapRoutes, spanReader } from './service-map.ts'
import { traceStoreRoutes } from './trace-store.ts'

/**
 * What an upstream gets of a request the guard let through: its own address as Host
 * (@fastify/http-proxy's), and no Origin: this server vouched for the page, which may be one the
 * upstream does not know (the console opened at this machine's LAN address, say).
 */
const vouchedFor = (_request: unknown, headers: IncomingHttpHeaders): IncomingHttpHeaders => {
  const { origin: _origin, ...rest } = headers
  return rest
}

/**
 * The front end for `npm start`, as the original's little server: the static build at `/`, and
 * `/api/user/…`, `/api/restaurant/…`, `/api/order/…` (and the gateway's plural prefixes) passed
 * to the services with the prefix stripped. In Docker the NGINX gateway does the same. And
 * `/api/engine/…` to npm start's supervisor (ENGINE_URL), for the console's process faults. And
 * `GET /api/alerts`: what fires and is pending in Prometheus (PROMETHEUS_URL), 200 even without it.
 * For the Traces, Service map and Charts pages: the trace store's API (TRACE_STORE_URL,
 * trace-store.ts), a trace's log lines (FLEET_LOG_DIR, logs.ts), `GET /api/service-map` and
 * `GET /api/charts`, from Prometheus or, when it does not answer, the web server's own reads of the
 * services (fleet-watch.ts, from the moment it listens).
 */
export async function buildWebApp(config: WebConfig, staticDir: string) {
  const logger: FastifyBaseLogger = createLogger({ service: 'web', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const app = Fastify({ loggerInstance: logger })
  // The console switches faults and processes: no other site's page, and no rebound Host, may.
  guardRequests(app, { allowedHosts: config.ALLOWED_HOSTS })
  await app.register(fastifyStatic, { root: staticDir })
  app.get('/health', async () => ({ status: 'healthy' }))
  const runbookOf = await loadRunbooks()
  app.get('/api/alerts', async (_request, reply) => {
    // Polled by the console: always what Prometheus says now.
    reply.header('cache-control', 'no-store')
    return readAlerts(config.PROMETHEUS_URL, runbookOf)
  })
  const upstreams = {
    user: config.USER_SERVICE_URL,
    restaurant: config.RESTAURANT_SERVICE_URL,
    order: config.ORDER_SERVICE_URL,
  }
  const store = traceStoreRoutes(app, config.TRACE_STORE_URL)
  logRoutes(app, config.FLEET_LOG_DIR)
  const prometheus = new PrometheusClient(config.PROMETHEUS_URL)
  const watch = new FleetWatch(upstreams, config.SCRAPE_INTERVAL_MS, logger)
  // Only a server that listens reads the fleet (a test's app.inject() reads nothing).
  app.addHook('onListen', async () => watch.start())
  app.addHook('onClose', async () => watch.stop())
  chartRoutes(app, { prometheus, watch, kept: new KeptTraces(store) })
  serviceMapRoutes(app, { services: upstreams, prometheus, watch, store, spans: spanReader(store) })
  for (const [service, upstream] of Object.entries(upstreams)) {
    for (const prefix of [`/api/${service}`, `/api/${service}s`]) {
      await app.register(httpProxy, {
        upstream,
        prefix,
        rewritePrefix: '',
        replyOptions: {
          rewriteRequestHeaders: vouchedFor,
          onError: (reply, { error }) => {
            reply.log.warn({ err: error, service }, 'service unavailable')
            reply.code(503).send(errorBody('DEPENDENCY_UNAVAILABLE', `The ${service} service did not answer`))
          },
        },
      })
    }
  }
  // The console's process faults go to npm start's supervisor, when there is one.
  if (config.ENGINE_URL) {
    await app.register(httpProxy, {
      upstream: config.ENGINE_URL,
      prefix: '/api/engine',
      rewritePrefix: '',
      replyOptions: {
        rewriteRequestHeaders: vouchedFor,
        onError: (reply) => reply.code(503).send({ message: 'npm start’s supervisor did not answer' }),
      },
    })
  }
  return app
}
