/**
 * Tempo's tag search (`GET /api/search`) over the kept traces: `tags` in logfmt, each matched
 * against one span (with its resource) as Tempo matches them: an attribute of the span or of its
 * resource whose value contains the given one (case-insensitive), or one of the names Tempo gives
 * a span's own fields: `name` (contains), `status` (error, ok, unset), `kind`; and the lab's
 * `chaos.injected` (true: the span carries that event). A trace matches when one of its spans
 * matches every tag; then minDuration, maxDuration (the trace's), start and end (unix seconds,
 * overlapping), newest first, `limit` of them, each with up to `spss` matching spans.
 */
import { notOneOf } from '@food/errors/suggest'
import { type KeyValue, scalarText } from '../otlp/model.ts'
import type { HeldSpan, HeldTrace } from '../store/trace.ts'
import { LogfmtError, type Pair, parseLogfmt } from './logfmt.ts'
import { goDuration, invalid, positiveInteger, readQuery, timeRange } from './params.ts'

export const SEARCH_PARAMETERS = ['tags', 'minDuration', 'maxDuration', 'start', 'end', 'limit', 'spss', 'q']
const STATUSES = ['unset', 'ok', 'error']
export const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']
export const CHAOS_TAG = 'chaos.injected'
/** The span's own fields search takes by name (Tempo's intrinsics), and the lab's fault marker. */
export const INTRINSIC_TAGS = [CHAOS_TAG, 'kind', 'name', 'status']

export interface SearchQuery {
  tags: Pair[]
  minNanos: number | undefined
  maxNanos: number | undefined
  start: number | undefined
  end: number | undefined
  limit: number
  spss: number
}

export interface Limits {
  searchDefaultLimit: number
  searchMaxLimit: number
}

export function parseSearch(query: unknown, limits: Limits): SearchQuery {
  const values = readQuery(query, SEARCH_PARAMETERS, '/api/search')
  if (values.q !== undefined) throw invalid('q', 'TraceQL is not supported by this store: search with `tags` (logfmt)')
  let tags: Pair[] = []
  try {
    tags = parseLogfmt(values.tags ?? '')
  } catch (error) {
    if (error instanceof LogfmtError) throw invalid('tags', error.message)
    throw error
  }
  for (const { key, value } of tags) {
    if (key === 'status' && !STATUSES.includes(value)) throw invalid('tags', notOneOf(value, STATUSES, 'status'))
    if (key === 'kind' && !KINDS.includes(value)) throw invalid('tags', notOneOf(value, KINDS, 'span kind'))
    if (key === CHAOS_TAG && value !== 'true' && value !== 'false') {
      throw invalid('tags', `${CHAOS_TAG} is true or false, not \`${value}\``)
    }
  }
  const minNanos = goDuration(values, 'minDuration')
  const maxNanos = goDuration(values, 'maxDuration')
  if (minNanos !== undefined && maxNanos !== undefined && maxNanos < minNanos) {
    throw invalid('maxDuration', `${values.maxDuration} is less than minDuration (${values.minDuration})`)
  }
  return {
    tags,
    minNanos,
    maxNanos,
    ...timeRange(values),
    limit: positiveInteger(values, 'limit', limits.searchMaxLimit) ?? limits.searchDefaultLimit,
    spss: positiveInteger(values, 'spss', 100) ?? 3,
  }
}

/** The attribute a span matched by, shown in its span set; undefined when it does not match. */
type Matcher = (held: HeldSpan) => KeyValue | undefined

const text = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } })

function matcher({ key, value }: Pair): Matcher {
  const wanted = value.toLowerCase()
  switch (key) {
    case 'name':
      return (held) => (held.span.name.toLowerCase().includes(wanted) ? text('name', held.span.name) : undefined)
    case 'status':
      return (held) => (held.span.status.code === STATUSES.indexOf(value) ? text('status', value) : undefined)
    case 'kind':
      return (held) => (held.span.kind === KINDS.indexOf(value) ? text('kind', value) : undefined)
    case CHAOS_TAG:
      return (held) => {
        const struck = held.span.events?.some((event) => event.name === CHAOS_TAG) ?? false
        return struck === (value === 'true') ? { key, value: { boolValue: struck } } : undefined
      }
    default:
      return (held) => {
        const found =
          held.span.attributes.find((attribute) => attribute.key === key) ??
          held.resource.value.resource.attributes.find((attribute) => attribute.key === key)
        return scalarText(found?.value)?.toLowerCase().includes(wanted) ? found : undefined
      }
  }
}

/** What the span matched each tag by, or undefined when it misses one. */
function matchAll(matchers: readonly Matcher[], held: HeldSpan): KeyValue[] | undefined {
  const shown: KeyValue[] = []
  for (const match of matchers) {
    const attribute = match(held)
    if (attribute === undefined) return undefined
    shown.push(attribute)
  }
  return shown
}

/** Whether the trace overlaps [start, end] (unix seconds, both whole seconds included). */
export function inRange(trace: HeldTrace, start: number | undefined, end: number | undefined): boolean {
  const { startUs, endUs } = trace.summary()
  return (start === undefined || endUs >= start * 1e6) && (end === undefined || startUs < (end + 1) * 1e6)
}

export const durationMs = (nanos: number) => Math.floor(nanos / 1e6)

function spanView(held: HeldSpan, matched: KeyValue[]) {
  const nanos = BigInt(held.span.endTimeUnixNano) - BigInt(held.span.startTimeUnixNano)
  return {
    spanID: held.span.spanId,
    name: held.span.name,
    startTimeUnixNano: held.span.startTimeUnixNano,
    durationNanos: String(nanos > 0n ? nanos : 0n),
    // Tempo shows the span's service in its span sets, then what it matched by.
    attributes: [
      text('service.name', held.resource.value.service),
      ...matched.filter((kv) => kv.key !== 'service.name'),
    ],
  }
}

export function search(traces: Iterable<HeldTrace>, query: SearchQuery) {
  const matchers = query.tags.map(matcher)
  const found: { trace: HeldTrace; spans: ReturnType<typeof spanView>[]; matched: number }[] = []
  let inspectedTraces = 0
  let inspectedBytes = 0
  for (const trace of traces) {
    inspectedTraces += 1
    inspectedBytes += trace.bytes
    const summary = trace.summary()
    if (query.minNanos !== undefined && summary.durationNanos < query.minNanos) continue
    if (query.maxNanos !== undefined && summary.durationNanos > query.maxNanos) continue
    if (!inRange(trace, query.start, query.end)) continue
    if (matchers.length === 0) {
      found.push({ trace, spans: [], matched: 0 })
      continue
    }
    const spans: ReturnType<typeof spanView>[] = []
    let matched = 0
    for (const held of trace.spans) {
      const shown = matchAll(matchers, held)
      if (shown === undefined) continue
      matched += 1
      if (spans.length < query.spss) spans.push(spanView(held, shown))
    }
    if (matched > 0) found.push({ trace, spans, matched })
  }
  found.sort((a, b) => b.trace.summary().startUs - a.trace.summary().startUs)
  return {
    traces: found.slice(0, query.limit).map(({ trace, spans, matched }) => {
      const summary = trace.summary()
      const spanSet = { spans, matched }
      return {
        traceID: summary.traceID,
        rootServiceName: summary.rootServiceName,
        rootTraceName: summary.rootTraceName,
        startTimeUnixNano: summary.startTimeUnixNano,
        durationMs: durationMs(summary.durationNanos),
        ...(matchers.length > 0 ? { spanSet, spanSets: [spanSet] } : {}),
      }
    }),
    metrics: { inspectedTraces, inspectedBytes: String(inspectedBytes), completedJobs: 1, totalJobs: 1 },
  }
}
