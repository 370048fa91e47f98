// Route schemas carry OpenAPI annotations (tags, hide) that @fastify/swagger declares.
import type {} from '@fastify/swagger'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Histogram, type OpenMetricsContentType, Registry } from 'prom-client'
import { registerOriginalMetrics } from './original-metrics.ts'
import { traceExemplar } from './trace-exemplar.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's own registry: several apps in one process (tests) must not share series. */
    metrics: { registry: MetricsRegistry }
  }
}

/** Every app's registry speaks OpenMetrics (see below). */
export type MetricsRegistry = Registry<OpenMetricsContentType>

export interface MetricsPluginOptions {
  service: string
}

const metrics: FastifyPluginAsync<MetricsPluginOptions> = async (app, options) => {
  // OpenMetrics is the format that carries exemplars: a latency bucket names a trace that landed
  // in it, so Grafana can jump from a slow bucket to the trace (Prometheus accepts both formats).
  const registry: MetricsRegistry = new Registry()
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
  registry.setDefaultLabels({ service: options.service })
  collectDefaultMetrics({ register: registry })

  const requestDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests handled, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
    enableExemplars: true,
  })

  app.decorate('metrics', { registry })
  registerOriginalMetrics(app, registry, options.service)

  app.addHook('onResponse', async (request, reply) => {
    // The route template, never the raw URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched'
    requestDuration.observe({
      labels: { method: request.method, route, status_code: String(reply.statusCode) },
      value: reply.elapsedTime / 1000,
      exemplarLabels: traceExemplar(),
    })
  })

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  )
}

export const metricsPlugin = fp(metrics, { name: '@food/metrics', fastify: '5.x' })
