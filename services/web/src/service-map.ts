/**
 * `GET /api/service-map`: the fleet as a map (the gateway, the three services, their PostgreSQL and
 * Redis), each edge with its rate, error ratio and p95 over the last minute, its faults and whether
 * it is down. The services' own figures and their calls to each other come from the metrics
 * (Prometheus, else the web server's scrapes: http_server_/http_client_request_duration_seconds);
 * the calls to PostgreSQL and Redis, which no metric times, from the spans of the traces the store
 * kept in that minute, each weighted by the share of the ordinary traces the store keeps (a trace
 * kept for an error, a fault or its slowness stands for itself; one kept by the share for 1/share),
 * so the error ratio of the kept traces does not read as the fleet's. Faults: each service's GET
 * /chaos (its switches, and the edges of the fault proxy its chaos plane shows); down: an edge
 * disabled, a service not answering, a database a service's readiness check fails on.
 */
import { FLEET_SERVICES, type FleetService } from '@food/config/service-ports'
import type { FastifyInstance } from 'fastify'
import { describeEdge, type EdgeState } from './edges.ts'
import { type ChaosView, type FleetWatch, LAB_ROUTES, readChaos, unsampledTraceparent } from './fleet-watch.ts'
import { chooseSource, fleetQueries, type MetricsSource } from './metrics-source.ts'
import { databaseOf, type FlatSpan, flatten, type ResourceSpans } from './otlp.ts'
import type { PrometheusClient } from './prometheus.ts'
import type { Figures, MapEdge, MapNode, NodeId, ServiceMapView } from './service-map-wire.ts'
import { reasonOf, type TraceStoreClient } from './trace-store.ts'

const WINDOW_S = 60

/** The fleet's edges, named as the fault proxy names them (packages/fault-proxy/src/fleet-edges.ts). */
export const MAP_EDGES: { id: string; from: NodeId; to: NodeId }[] = [
  ...FLEET_SERVICES.map((service) => ({ id: `gateway-${service}`, from: 'gateway' as const, to: service })),
  { id: 'order-user', from: 'order', to: 'user' },
  { id: 'order-restaurant', from: 'order', to: 'restaurant' },
  ...FLEET_SERVICES.flatMap((service) => [
    { id: `${service}-postgres`, from: service, to: 'postgres' as const },
    { id: `${service}-redis`, from: service, to: 'redis' as const },
  ]),
]

/** A weighted sample's p-quantile: the smallest value with at least p of the weight at or below it. */
export function weightedQuantile(samples: { value: number; weight: number }[], p: number): number | null {
  if (samples.length === 0) return null
  const sorted = [...samples].sort((a, b) => a.value - b.value)
  const total = sorted.reduce((sum, sample) => sum + sample.weight, 0)
  let below = 0
  for (const sample of sorted) {
    below += sample.weight
    if (below >= p * total) return sample.value
  }
  return sorted.at(-1)?.value ?? null
}

interface Call {
  durationMs: number
  error: boolean
  weight: number
}

/** Rate, error ratio and p95 of calls seen over `seconds`. */
export function figuresOf(calls: Call[], seconds: number): Figures | null {
  if (calls.length === 0) return null
  const weight = calls.reduce((sum, call) => sum + call.weight, 0)
  const failed = calls.reduce((sum, call) => sum + (call.error ? call.weight : 0), 0)
  return {
    rate: weight / seconds,
    error_ratio: weight > 0 ? failed / weight : null,
    p95_ms: weightedQuantile(
      calls.map((call) => ({ value: call.durationMs, weight: call.weight })),
      0.95,
    ),
    source: 'spans',
  }
}

/** An HTTP status that counts as a failed request or call: 5xx (a 4xx is the caller's doing). */
const failedStatus = (span: FlatSpan) => {
  const status = Number(span.attributes['http.response.status_code'] ?? 0)
  return span.error || status >= 500
}

/**
 * The calls seen in the spans of kept traces, by edge and by service served: `order-user` (the order
 * service's client spans whose callee is the user service), `user-postgres` (its statements),
 * `gateway-user` (requests the user service served that no other service of the trace made).
 */
export function callsInSpans(
  traces: { keptBecause?: string; resourceSpans: ResourceSpans[] }[],
  share: number,
  from: number,
  until: number,
  /** Each trace read standing for this many (more than one when only some were read). */
  scale = 1,
) {
  const edges = new Map<string, Call[]>()
  const served = new Map<string, Call[]>()
  const add = (map: Map<string, Call[]>, key: string, call: Call) => map.set(key, [...(map.get(key) ?? []), call])
  for (const trace of traces) {
    const weight = (trace.keptBecause === 'share' && share > 0 ? 1 / share : 1) * scale
    const { spans } = flatten(trace.resourceSpans)
    const byId = new Map(spans.map((span) => [span.spanId, span]))
    const childrenOf = new Map<string, FlatSpan[]>()
    for (const span of spans) {
      if (span.parentSpanId) childrenOf.set(span.parentSpanId, [...(childrenOf.get(span.parentSpanId) ?? []), span])
    }
    for (const span of spans) {
      if (span.startUnixMs < from || span.startUnixMs >= until) continue
      const call = { durationMs: span.durationMs, error: failedStatus(span), weight }
      const database = databaseOf(span)
      if (database) {
        add(edges, `${span.service}-${database}`, call)
      } else if (span.kind === 'client') {
        const callee = (childrenOf.get(span.spanId) ?? []).find((child) => child.kind === 'server')
        if (callee && callee.service !== span.service) add(edges, `${span.service}-${callee.service}`, call)
      } else if (span.kind === 'server') {
        add(served, span.service, call)
        const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined
        if (parent?.kind !== 'client') add(edges, `gateway-${span.service}`, call)
      }
    }
  }
  return { edges, served }
}

/** The store's share of ordinary traces kept, from its decisions so far (1 when it dropped none). */
export function keptShare(metricsText: string): number {
  const count = (decision: string, reason: string) => {
    const line = metricsText
      .split('\n')
      .find((text) => text.startsWith(`trace_store_decisions_total{decision="${decision}",reason="${reason}"}`))
    return Number(line?.split(' ').at(-1) ?? 0)
  }
  const kept = count('kept', 'share')
  const dropped = count('dropped', 'none')
  return kept + dropped === 0 ? 1 : kept / (kept + dropped)
}

// Reading a minute of kept traces is the map's costly part (each trace whole, as JSON): done at most
// every SPANS_TTL_MS for every viewer, and at most MAX_TRACES of them parsed (the newest), the others
// stood for by scaling the weights.
const SPANS_TTL_MS = 10_000
const MAX_TRACES = 3000

export interface SpanFigures {
  reachable: boolean
  error?: string
  traces: number
  share: number | null
  edges: Map<string, Call[]>
  served: Map<string, Call[]>
}

async function readSpans(store: TraceStoreClient | undefined): Promise<SpanFigures> {
  const none = { traces: 0, share: null, edges: new Map(), served: new Map() }
  if (!store) return { reachable: false, error: 'no trace store (TRACE_STORE_URL)', ...none }
  try {
    // A trace is decided a few seconds after its last span: the minute read is the one before that.
    const now = Date.now()
    const probe = await store.fetch(`/api/lab/traces?since=${now}&until=${now}`)
    const wait = Number(probe.headers.get('x-trace-store-decision-wait-ms') ?? 0)
    await probe.text()
    const until = now - wait
    const from = until - WINDOW_S * 1000
    const [text, metrics] = await Promise.all([
      store.fetch(`/api/lab/traces?since=${from}&until=${until}`).then((response) => response.text()),
      store.fetch('/metrics').then((response) => response.text()),
    ])
    const lines = text.split('\n').filter(Boolean)
    const traces = lines
      .slice(-MAX_TRACES)
      .map((line) => JSON.parse(line) as { keptBecause?: string; resourceSpans: ResourceSpans[] })
    const share = keptShare(metrics)
    // Beyond MAX_TRACES, each trace read stands for the ones not read too.
    const seen = callsInSpans(traces, share, from, until, lines.length / Math.max(traces.length, 1))
    return { reachable: true, traces: lines.length, share, ...seen }
  } catch (error) {
    return { reachable: false, error: `the trace store did not answer: ${reasonOf(error)}`, ...none }
  }
}

/** readSpans, shared by every request within SPANS_TTL_MS. */
export function spanReader(store: TraceStoreClient | undefined) {
  let last: { at: number; figures: Promise<SpanFigures> } | undefined
  return () => {
    const now = Date.now()
    if (!last || now - last.at > SPANS_TTL_MS) last = { at: now, figures: readSpans(store) }
    return last.figures
  }
}

/** Each service's readiness checks (`postgres: ok`, `redis: error: …`), untraced; undefined when it does not answer. */
async function readiness(baseUrl: string): Promise<Record<string, string> | undefined> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/health/ready`, {
      headers: { traceparent: unsampledTraceparent() },
      signal: AbortSignal.timeout(2000),
    })
    return ((await response.json()) as { checks?: Record<string, string> }).checks
  } catch {
    return undefined
  }
}

async function metricFigures(source: MetricsSource | undefined) {
  const nodes = new Map<string, Figures>()
  const edges = new Map<string, Figures>()
  if (!source) return { nodes, edges }
  const queries = fleetQueries(LAB_ROUTES)
  const [rate, errors, p95, calls, callErrors, callP95] = await Promise.all(
    [
      queries.rate('service'),
      queries.errors('service'),
      queries.p95('service'),
      queries.calls,
      queries.callErrors,
      queries.callP95,
    ].map((query) => source.instant(query).catch(() => [])),
  )
  const found = (list: typeof rate, match: (labels: Record<string, string>) => boolean) => {
    const value = list?.find((series) => match(series.labels))?.value
    return value === undefined || !Number.isFinite(value) ? null : value
  }
  const figures = (count: number, failed: number | null, quantile: number | null): Figures => ({
    rate: count,
    error_ratio: count > 0 ? (failed ?? 0) / count : null,
    p95_ms: quantile === null ? null : quantile * 1000,
    source: source.name,
  })
  for (const series of rate ?? []) {
    const service = series.labels.service ?? ''
    const same = (labels: Record<string, string>) => labels.service === service
    nodes.set(service, figures(series.value, found(errors ?? [], same), found(p95 ?? [], same)))
  }
  for (const series of calls ?? []) {
    const { service = '', target = '' } = series.labels
    const same = (labels: Record<string, string>) => labels.service === service && labels.target === target
    edges.set(`${service}-${target}`, figures(series.value, found(callErrors ?? [], same), found(callP95 ?? [], same)))
  }
  return { nodes, edges }
}

export interface ServiceMapDeps {
  services: Record<FleetService, string>
  prometheus: PrometheusClient
  watch: FleetWatch
  store: TraceStoreClient | undefined
  spans: () => Promise<SpanFigures>
}

export async function readServiceMap(deps: ServiceMapDeps): Promise<ServiceMapView> {
  const [chosen, spans, chaos, checks] = await Promise.all([
    chooseSource(deps.prometheus, deps.watch),
    deps.spans(),
    Promise.all(
      FLEET_SERVICES.map((service) =>
        readChaos(deps.services[service]).then(
          (view): { view?: ChaosView; error?: string } => ({ view }),
          (error): { view?: ChaosView; error?: string } => ({ error: reasonOf(error, 2000) }),
        ),
      ),
    ),
    Promise.all(FLEET_SERVICES.map((service) => readiness(deps.services[service]))),
  ])
  const metrics = await metricFigures(chosen.source)
  const seen = spans
  const chaosOf = new Map<string, { view?: ChaosView; error?: string }>(
    FLEET_SERVICES.map((service, i) => [service, chaos[i] ?? {}]),
  )
  const checksOf = new Map(FLEET_SERVICES.map((service, i) => [service, checks[i]]))

  const databaseUp = (database: 'postgres' | 'redis') => {
    const said = FLEET_SERVICES.map((service) => checksOf.get(service)?.[database]).filter(
      (check) => check !== undefined,
    )
    if (said.length === 0) return { up: null, reason: 'no service answered its readiness probe' }
    if (said.some((check) => check === 'ok')) return { up: true }
    return { up: false, reason: `every service’s check fails: ${said[0]}` }
  }
  const nodes: MapNode[] = [
    { id: 'gateway', label: 'gateway', kind: 'gateway', up: true, faults: [], figures: null },
    ...FLEET_SERVICES.map((service): MapNode => {
      const { view, error } = chaosOf.get(service) ?? {}
      return {
        id: service,
        label: service,
        kind: 'service',
        up: view !== undefined,
        ...(error ? { reason: `does not answer: ${error}` } : {}),
        faults: Object.entries(view?.faults ?? {}).map(([name, fault]) => ({
          name,
          value: typeof fault.value === 'boolean' ? 'on' : String(fault.value),
          expires_at: fault.expires_at ?? null,
        })),
        figures: metrics.nodes.get(service) ?? figuresOf(seen.served.get(service) ?? [], WINDOW_S),
      }
    }),
    { id: 'postgres', label: 'PostgreSQL', kind: 'database', faults: [], figures: null, ...databaseUp('postgres') },
    { id: 'redis', label: 'Redis', kind: 'database', faults: [], figures: null, ...databaseUp('redis') },
  ]
  const nodeOf = new Map(nodes.map((node) => [node.id, node]))

  // Each edge as the chaos plane that switches it shows it: the caller's, or for the gateway's the service behind it.
  const edgeStates = new Map<string, EdgeState>()
  const planeErrors = new Map<string, string>()
  for (const service of FLEET_SERVICES) {
    const network = chaosOf.get(service)?.view?.network
    if (network && 'edges' in network)
      for (const [edge, state] of Object.entries(network.edges)) edgeStates.set(edge, state)
    else if (network && 'error' in network) planeErrors.set(service, network.error)
  }
  const edges = MAP_EDGES.map(({ id, from, to }): MapEdge => {
    const plane = from === 'gateway' ? to : from
    const planeUp = nodeOf.get(plane as NodeId)?.up
    const target = nodeOf.get(to)
    const proxied = edgeStates.get(id)
    let state: MapEdge['state']
    let detail: string
    if (proxied) {
      detail = describeEdge(proxied)
      state = detail === 'healthy' ? 'healthy' : detail === 'down' ? 'down' : 'fault'
    } else if (!planeUp) {
      state = 'unknown'
      detail = `${plane} does not answer`
    } else {
      state = 'direct'
      detail = planeErrors.has(plane) ? `fault proxy not read: ${planeErrors.get(plane)}` : 'no fault proxy'
    }
    const check = to === 'postgres' || to === 'redis' ? checksOf.get(from as FleetService)?.[to] : undefined
    if (state !== 'down' && check !== undefined && check !== 'ok') {
      state = 'down'
      detail = `${from}’s ${target?.label} check: ${check}`
    } else if (state !== 'down' && target?.kind === 'service' && target.up === false) {
      state = 'down'
      detail = `${to} does not answer`
    }
    const figures = metrics.edges.get(id) ?? figuresOf(seen.edges.get(id) ?? [], WINDOW_S)
    return { id, from, to, state, detail, figures }
  })
  return {
    window_s: WINDOW_S,
    at: new Date().toISOString(),
    metrics: { source: chosen.source?.name ?? 'none', prometheus: chosen.prometheus },
    spans: {
      store: deps.store?.url ?? null,
      reachable: spans.reachable,
      ...(spans.error ? { error: spans.error } : {}),
      traces: spans.traces,
      share: spans.share,
    },
    nodes,
    edges,
  }
}

export function serviceMapRoutes(app: FastifyInstance, deps: ServiceMapDeps) {
  app.get('/api/service-map', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return readServiceMap(deps)
  })
}
