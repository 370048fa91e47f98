/**
 * A trace as the trace store answers it (OTLP JSON, `{batches: [ResourceSpans…]}`), read into flat
 * spans: what the web server summarises for the Traces list and the service map, and what the
 * browser draws as a waterfall. Pure: no Node, no DOM.
 */

export interface AnyValue {
  stringValue?: string
  boolValue?: boolean
  intValue?: string | number
  doubleValue?: number | string
  bytesValue?: string
  arrayValue?: { values?: AnyValue[] }
  kvlistValue?: { values?: KeyValue[] }
}
export interface KeyValue {
  key: string
  value: AnyValue
}
interface OtlpEvent {
  timeUnixNano: string
  name: string
  attributes?: KeyValue[]
}
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes?: KeyValue[]
  events?: OtlpEvent[]
  status?: { code?: number; message?: string }
}
export interface ResourceSpans {
  resource?: { attributes?: KeyValue[] }
  scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[]
}

/** OTLP's Status.code 2, and the span kinds by number. */
export const STATUS_ERROR = 2
export const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const
export const SERVER = 2
export const CLIENT = 3

/** The fault marker the chaos plane puts on the span it struck. */
export const CHAOS_EVENT = 'chaos.injected'

export type Scalar = string | number | boolean | null

/** An attribute's value as plain text or a number (arrays and maps as JSON). */
export function scalarOf(value: AnyValue | undefined): Scalar {
  if (!value) return null
  if (value.stringValue !== undefined) return value.stringValue
  if (value.boolValue !== undefined) return value.boolValue
  if (value.intValue !== undefined) return Number(value.intValue)
  if (value.doubleValue !== undefined) return Number(value.doubleValue)
  if (value.bytesValue !== undefined) return value.bytesValue
  if (value.arrayValue) return JSON.stringify((value.arrayValue.values ?? []).map(scalarOf))
  if (value.kvlistValue) {
    return JSON.stringify(
      Object.fromEntries((value.kvlistValue.values ?? []).map((kv) => [kv.key, scalarOf(kv.value)])),
    )
  }
  return null
}

export const attributesOf = (list: KeyValue[] | undefined): Record<string, Scalar> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, scalarOf(kv.value)]))

/** `order-service` → `order`: the fleet's services are named `<name>-service` in their traces. */
export const shortService = (name: string) => name.replace(/-service$/, '')

export interface FlatEvent {
  name: string
  /** Milliseconds since the trace began. */
  atMs: number
  attributes: Record<string, Scalar>
}

export interface FlatSpan {
  spanId: string
  parentSpanId: string | undefined
  name: string
  kind: (typeof KINDS)[number]
  /** `order`, from the resource's service.name. */
  service: string
  scope: string
  /** Milliseconds since the trace began, and how long. */
  startMs: number
  durationMs: number
  /** The absolute start, unix milliseconds. */
  startUnixMs: number
  error: boolean
  statusMessage: string | undefined
  attributes: Record<string, Scalar>
  resource: Record<string, Scalar>
  events: FlatEvent[]
}

export interface FlatTrace {
  traceId: string
  startUnixMs: number
  durationMs: number
  spans: FlatSpan[]
}

const nanos = (text: string) => {
  try {
    return BigInt(text)
  } catch {
    return 0n
  }
}

/** Every span of the trace, oldest first, with times relative to the trace's first span. */
export function flatten(batches: ResourceSpans[]): FlatTrace {
  const raw: { span: OtlpSpan; resource: Record<string, Scalar>; scope: string }[] = []
  for (const batch of batches) {
    const resource = attributesOf(batch.resource?.attributes)
    for (const scopeSpans of batch.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) raw.push({ span, resource, scope: scopeSpans.scope?.name ?? '' })
    }
  }
  if (raw.length === 0) return { traceId: '', startUnixMs: 0, durationMs: 0, spans: [] }
  let start = nanos(raw[0]?.span.startTimeUnixNano ?? '0')
  let end = nanos(raw[0]?.span.endTimeUnixNano ?? '0')
  for (const { span } of raw) {
    const [from, to] = [nanos(span.startTimeUnixNano), nanos(span.endTimeUnixNano)]
    if (from < start) start = from
    if (to > end) end = to
  }
  const ms = (value: bigint) => Number(value - start) / 1e6
  const spans = raw.map(({ span, resource, scope }): FlatSpan => {
    const from = nanos(span.startTimeUnixNano)
    const to = nanos(span.endTimeUnixNano)
    return {
      spanId: span.spanId,
      parentSpanId: span.parentSpanId || undefined,
      name: span.name,
      kind: KINDS[span.kind] ?? 'unspecified',
      service: shortService(String(resource['service.name'] ?? 'unknown')),
      scope,
      startMs: ms(from),
      durationMs: Math.max(0, Number(to - from) / 1e6),
      startUnixMs: Number(from / 1_000_000n),
      error: span.status?.code === STATUS_ERROR,
      statusMessage: span.status?.message || undefined,
      attributes: attributesOf(span.attributes),
      resource,
      events: (span.events ?? []).map((event) => ({
        name: event.name,
        atMs: ms(nanos(event.timeUnixNano)),
        attributes: attributesOf(event.attributes),
      })),
    }
  })
  spans.sort((a, b) => a.startMs - b.startMs)
  return {
    traceId: raw[0]?.span.traceId ?? '',
    startUnixMs: Number(start / 1_000_000n),
    durationMs: Number(end - start) / 1e6,
    spans,
  }
}

/** Which call a span is to PostgreSQL or Redis, from its `db.system.name` (or the older `db.system`). */
export function databaseOf(span: FlatSpan): 'postgres' | 'redis' | undefined {
  const system = String(span.attributes['db.system.name'] ?? span.attributes['db.system'] ?? '')
  if (system === 'postgresql') return 'postgres'
  if (system === 'redis') return 'redis'
  return undefined
}

export interface TreeRow {
  span: FlatSpan
  depth: number
}

/**
 * The spans in waterfall order: each after its parent, siblings by start time; a span whose parent
 * is not in the trace (its caller's part was not kept) starts a tree of its own.
 */
export function tree(spans: FlatSpan[]): TreeRow[] {
  const ids = new Set(spans.map((span) => span.spanId))
  const children = new Map<string | undefined, FlatSpan[]>()
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined
    children.set(parent, [...(children.get(parent) ?? []), span])
  }
  const rows: TreeRow[] = []
  const seen = new Set<string>()
  const visit = (span: FlatSpan, depth: number) => {
    if (seen.has(span.spanId)) return
    seen.add(span.spanId)
    rows.push({ span, depth })
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1)
  }
  for (const root of children.get(undefined) ?? []) visit(root, 0)
  // A cycle of parents (a broken exporter) leaves spans unvisited: shown last, flat.
  for (const span of spans) if (!seen.has(span.spanId)) rows.push({ span, depth: 0 })
  return rows
}

/** What the Traces list shows of one trace. */
export interface TraceRowView {
  traceID: string
  startUnixMs: number
  durationMs: number
  /** The root span's service and name (`order`, `POST /orders`), its route and HTTP status. */
  service: string
  name: string
  route: string | null
  statusCode: number | null
  /** Spans with an error status. */
  errors: number
  /** The faults that struck it: each `chaos.injected` event's `chaos.fault` (or the span's name). */
  faults: string[]
  services: string[]
  spans: number
  /** The `order.id` attributes in it: the orders it placed or changed. */
  orderIds: string[]
}

/** The Traces list's row of a trace. */
export function summarize(traceID: string, batches: ResourceSpans[]): TraceRowView {
  const trace = flatten(batches)
  const ids = new Set(trace.spans.map((span) => span.spanId))
  const root =
    trace.spans.find((span) => !span.parentSpanId || !ids.has(span.parentSpanId)) ??
    (trace.spans[0] as FlatSpan | undefined)
  const faults = trace.spans.flatMap((span) =>
    span.events
      .filter((event) => event.name === CHAOS_EVENT)
      .map((event) => String(event.attributes['chaos.fault'] ?? span.name)),
  )
  const status = root?.attributes['http.response.status_code']
  return {
    traceID,
    startUnixMs: trace.startUnixMs,
    durationMs: trace.durationMs,
    service: root?.service ?? '',
    name: root?.name ?? '',
    route: root?.attributes['http.route'] === undefined ? null : String(root.attributes['http.route']),
    statusCode: status === undefined || status === null ? null : Number(status),
    errors: trace.spans.filter((span) => span.error).length,
    faults: [...new Set(faults)],
    services: [...new Set(trace.spans.map((span) => span.service))].sort(),
    spans: trace.spans.length,
    orderIds: [
      ...new Set(
        trace.spans.flatMap((span) =>
          span.attributes['order.id'] == null ? [] : [String(span.attributes['order.id'])],
        ),
      ),
    ],
  }
}
