import { FastifyOtelInstrumentation } from '@fastify/otel'
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node'
import { NodeSDK } from '@opentelemetry/sdk-node'
import { ENDPOINT_VARIABLES, telemetryWanted } from './wanted.ts'

let sdk: NodeSDK | undefined

/**
 * Starts the OpenTelemetry SDK, configured by the standard `OTEL_*` variables, when there is
 * somewhere to export to (see `telemetryWanted`): so a fleet started without a collector neither
 * pays for tracing nor retries localhost:4318 and logs an error every few seconds.
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
  sdk = new NodeSDK({
    instrumentations: [
      getNodeAutoInstrumentations({
        // File-system and socket spans drown the request spans people want to see.
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        // Every request a service serves is a Fastify request, whose span @fastify/otel opens
        // (reading `traceparent` itself); a second server span per request from the http
        // instrumentation doubled the cost of tracing a cached read. Calls out go through undici.
        '@opentelemetry/instrumentation-http': { enabled: false },
      }),
      // The request's server span, named by route template (`POST /orders`), and a handler span.
      // No span per lifecycle hook (they cost half the throughput of a cached read and say
      // little: the saga's own spans tell the story), and no spans for probes and scrapes.
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        ignorePaths: (route) => route.url.startsWith('/health') || route.url === '/metrics',
        requestHook: (span, request) => span.updateName(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`),
      }),
    ],
  })
  sdk.start()
  return sdk
}

/** Flushes spans still buffered; called by the service on its way out. */
export async function shutdownTelemetry(): Promise<void> {
  await sdk?.shutdown()
  sdk = undefined
}
