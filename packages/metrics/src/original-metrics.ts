import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Counter, Gauge, Histogram, type OpenMetricsContentType, type Registry } from 'prom-client'

// Route template → endpoint label: as many entries as the service has routes.
const ENDPOINTS = new Map<string, string>()

/**
 * The route template as the original sample's endpoints are written (`/users/{id}`): a bounded
 * label value, where the original put the raw path (one series per id). Unrouted requests share one.
 */
export const endpointOf = (request: FastifyRequest): string => {
  const route = request.routeOptions.url
  if (route === undefined) return 'unmatched'
  // Worked out once per route, not on every request.
  let endpoint = ENDPOINTS.get(route)
  if (endpoint === undefined) {
    endpoint = route.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
    ENDPOINTS.set(route, endpoint)
  }
  return endpoint
}

// The original's middleware does not count its own scrapes.
const isScrape = (request: FastifyRequest) => request.routeOptions.url === '/metrics'

/**
 * The original sample's HTTP metrics, under its names and labels, beside ours, so its users'
 * dashboards and alerts keep working: `http_requests_total{method, endpoint, status,
 * service_name}` (also `status_code`, the label its own dashboards query),
 * `http_request_duration_seconds{method, endpoint, service_name}` and
 * `http_requests_in_progress{service_name}`; `service_name` is `user-service` and so on.
 */
export function registerOriginalMetrics(
  app: FastifyInstance,
  registry: Registry<OpenMetricsContentType>,
  service: string,
): void {
  const serviceName = `${service}-service`
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, endpoint template and status (the original sample’s metric)',
    labelNames: ['method', 'endpoint', 'status', 'status_code', 'service_name'],
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests, by method and endpoint template (the original sample’s metric)',
    labelNames: ['method', 'endpoint', 'service_name'],
    registers: [registry],
  })
  const inProgress = new Gauge({
    name: 'http_requests_in_progress',
    help: 'HTTP requests being handled (the original sample’s metric)',
    labelNames: ['service_name'],
    registers: [registry],
  })
  inProgress.set({ service_name: serviceName }, 0)

  app.addHook('onRequest', async (request, reply) => {
    if (isScrape(request)) return
    inProgress.inc({ service_name: serviceName })
    // 'close' comes for every response, also one whose client went away before the end.
    reply.raw.once('close', () => inProgress.dec({ service_name: serviceName }))
  })
  app.addHook('onResponse', async (request, reply) => {
    if (isScrape(request)) return
    const endpoint = endpointOf(request)
    const status = String(reply.statusCode)
    requests.inc({ method: request.method, endpoint, status, status_code: status, service_name: serviceName })
    duration.observe({ method: request.method, endpoint, service_name: serviceName }, reply.elapsedTime / 1000)
  })
}
