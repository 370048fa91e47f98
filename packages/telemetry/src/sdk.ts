import { FastifyOtelInstrumentation } from '@fastify/otel'
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node'
import { core, NodeSDK } from '@opentelemetry/sdk-node'
// The span processors OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_* and OTEL_BSP_* describe, as the SDK
// builds them when given none: the tail policy sends what it keeps through them.
import { getSpanProcessorsFromEnv } from '@opentelemetry/sdk-node/build/src/utils.js'
import { installRequestHooks } from './request-hooks.ts'
import { tailSettings } from './settings.ts'
import { KeptTraceContextPropagator, TailHeadSampler, TailSamplingProcessor } from './tail-sampling.ts'
import { ENDPOINT_VARIABLES, telemetryWanted } from './wanted.ts'

let sdk: NodeSDK | undefined

/**
 * The instrumentations whose spans are read: the request (@fastify/otel, below), its calls to other
 * services (undici), PostgreSQL (pg) and Redis (ioredis), and pino's log lines, which get the
 * trace's ids. Of auto-instrumentations-node's 40 the others are not even constructed:
 * `OTEL_NODE_ENABLED_INSTRUMENTATIONS` (its own variable) names more.
 */
export const DEFAULT_INSTRUMENTATIONS = 'undici,pg,ioredis,pino'

/**
 * Starts the OpenTelemetry SDK, configured by the standard `OTEL_*` variables, when there is
 * somewhere to export to (see `telemetryWanted`): so a fleet started without a collector neither
 * pays for tracing nor retries localhost:4318 and logs an error every few seconds. Which traces
 * are kept: `OTEL_TRACES_SAMPLER` (`tail`: settings.ts, tail-sampling.ts; unset: every one).
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): NodeSDK | undefined {
  if (sdk || !telemetryWanted(env)) return sdk
  // Every service of the fleet is found under one namespace in Tempo and Grafana.
  if (!env.OTEL_RESOURCE_ATTRIBUTES?.includes('service.namespace=')) {
    env.OTEL_RESOURCE_ATTRIBUTES = [env.OTEL_RESOURCE_ATTRIBUTES, 'service.namespace=food-delivery']
      .filter(Boolean)
      .join(',')
  }
  // Asked for, say, console metrics only: no traces sent to a localhost:4318 nobody runs.
  if (!ENDPOINT_VARIABLES.some((name) => env[name])) env.OTEL_TRACES_EXPORTER ??= 'none'
  // Prometheus scrapes /metrics; OTLP metrics and logs only when asked for explicitly.
  env.OTEL_METRICS_EXPORTER ??= 'none'
  env.OTEL_LOGS_EXPORTER ??= 'none'
  env.OTEL_NODE_ENABLED_INSTRUMENTATIONS ||= DEFAULT_INSTRUMENTATIONS
  const settings = tailSettings(env)
  const exporters = settings ? getSpanProcessorsFromEnv(undefined) : []
  const tail = settings && exporters.length > 0 ? new TailSamplingProcessor(exporters) : undefined
  sdk = new NodeSDK({
    ...(settings && tail && { sampler: new TailHeadSampler(settings), spanProcessors: [tail] }),
    // OpenTelemetry's default propagators (W3C Trace Context, W3C Baggage), unless OTEL_PROPAGATORS names others.
    ...(tail &&
      !env.OTEL_PROPAGATORS && {
        textMapPropagator: new core.CompositePropagator({
          propagators: [new KeptTraceContextPropagator(tail), new core.W3CBaggagePropagator()],
        }),
      }),
    instrumentations: [
      getNodeAutoInstrumentations({
        // File-system, DNS and socket spans drown the request spans people want to see.
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        // Every request a service serves is a Fastify request, whose span @fastify/otel opens
        // (reading `traceparent` itself); a second server span per request from the http
        // instrumentation doubled the cost of tracing a cached read. Calls out go through undici.
        '@opentelemetry/instrumentation-http': { enabled: false },
        // Statements of a request, not the pool's own reads (the stock gauge at each scrape), and
        // no span per connection checked out: the statements' spans show a wait for one as their gap.
        '@opentelemetry/instrumentation-pg': { requireParentSpan: true, ignoreConnectSpans: true },
        // The trace's ids on each log line; not each line again through OpenTelemetry's logs API
        // (pino's multistream and a parse of every line), which nothing exports.
        '@opentelemetry/instrumentation-pino': { disableLogSending: true },
      }),
      // The request's server span, named by route template (`POST /orders`). No span per lifecycle
      // hook (they cost half the throughput of a cached read and say little: the saga's own spans
      // tell the story), none around the handler (request-hooks.ts), none for probes and scrapes.
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        instrumentHandler: false,
        ignorePaths: (route) => route.url.startsWith('/health') || route.url === '/metrics',
        requestHook: (span, request) => span.updateName(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`),
      }),
    ],
  })
  sdk.start()
  installRequestHooks(tail)
  return sdk
}

/** Flushes spans still buffered; called by the service on its way out. */
export async function shutdownTelemetry(): Promise<void> {
  await sdk?.shutdown()
  sdk = undefined
}
