/**
 * What the tests share: a trace store on free ports, the real OpenTelemetry SDK exporting to it
 * (protobuf or JSON, gzip or not), traces of the fleet's shape built with chosen durations,
 * statuses and events, and the store's API and metrics read back over HTTP.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { type Context, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { type RunningTraceStore, startTraceStore, type TraceStoreOptions } from '../src/index.ts'

/**
 * A store on free ports (never Tempo's 3200/4318: a user's fleet may be running), deciding soon.
 * Not too soon: a trace's services export apart, and on a busy machine the second may come a few
 * hundred milliseconds after the first; decided in between, the trace would miss its last spans.
 */
export const startTestStore = (options: TraceStoreOptions = {}): Promise<RunningTraceStore> =>
  startTraceStore({ otlpPort: 0, apiPort: 0, decisionWaitMs: 500, decisionTickMs: 20, ...options })

export type Encoding = 'protobuf' | 'json' | 'protobuf+gzip' | 'json+gzip'

/** A service's tracer, exporting through the SDK's own OTLP/HTTP exporter of that encoding. */
export function serviceTracer(otlpUrl: string, service: string, encoding: Encoding = 'protobuf') {
  const options = {
    url: `${otlpUrl}/v1/traces`,
    ...(encoding.endsWith('+gzip') ? { compression: CompressionAlgorithm.GZIP } : {}),
  }
  const exporter = encoding.startsWith('json') ? new JsonExporter(options) : new ProtobufExporter(options)
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.namespace': 'food-delivery' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, scheduledDelayMillis: 10 })],
  })
  return {
    tracer: provider.getTracer('trace-store-test', '1.0.0'),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  }
}
export type ServiceTracer = ReturnType<typeof serviceTracer>

export interface OrderShape {
  /** The root's duration. */
  ms: number
  /** When the root starts (ms since the epoch); now by default. */
  at?: number
  route?: string
  error?: boolean
  chaos?: boolean
}

const within = (parent: Span): Context => trace.setSpan(context.active(), parent)

/**
 * One order as the fleet traces it: the order service's server span (`POST /orders`, http.route),
 * a saga step, and the restaurant's server span under it (another service, another tracer); an
 * error status on the payment step, a chaos.injected event on the restaurant's span, if asked.
 */
export function order(order: ServiceTracer, restaurant: ServiceTracer, shape: OrderShape): string {
  const at = shape.at ?? Date.now()
  const route = shape.route ?? '/orders'
  const root = order.tracer.startSpan(`POST ${route}`, {
    kind: SpanKind.SERVER,
    startTime: at,
    attributes: { 'http.route': route, 'http.request.method': 'POST', 'http.response.status_code': 201 },
  })
  const step = order.tracer.startSpan(
    'order.reserve_stock',
    { startTime: at + shape.ms * 0.1, attributes: { 'order.items': 2 } },
    within(root),
  )
  const served = restaurant.tracer.startSpan(
    'PUT /inventory/:menuId',
    { kind: SpanKind.SERVER, startTime: at + shape.ms * 0.2, attributes: { 'http.route': '/inventory/:menuId' } },
    within(step),
  )
  if (shape.chaos)
    served.addEvent('chaos.injected', { 'chaos.fault': 'latency', 'chaos.value': 200 }, at + shape.ms * 0.3)
  served.end(at + shape.ms * 0.6)
  if (shape.error) step.setStatus({ code: SpanStatusCode.ERROR, message: 'payment declined' })
  step.end(at + shape.ms * 0.7)
  root.end(at + shape.ms)
  return root.spanContext().traceId
}

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, as the tests check them
export type Json = any

/** A response's body as JSON. */
export const json = (response: Response): Promise<Json> => response.json()

/** Every span of OTLP ResourceSpans (`batches`, `resourceSpans`), in order. */
export const spansOf = (groups: Json[]): Json[] =>
  groups.flatMap((group) => group.scopeSpans.flatMap((scopeSpans: Json) => scopeSpans.spans))

export async function getJson(url: string): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(url)
  const text = await response.text()
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: response.headers }
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`not so after ${ms} ms`)
    await sleep(20)
  }
}

/** Waits until the store holds no pending trace: every trace sent so far is decided. */
export const decided = (running: RunningTraceStore) =>
  eventually(async () => (running.store.pendingCount === 0 ? true : undefined))

/** A series' value from the store's /metrics (Prometheus text format); 0 when absent. */
export async function metric(running: RunningTraceStore, series: string): Promise<number> {
  const text = await (await fetch(`${running.apiUrl}/metrics`)).text()
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}
