/**
 * The store's HTTP API in the shapes Tempo documents (its `api_docs`): a trace by id (OTLP JSON,
 * or protobuf on `Accept: application/protobuf`), tag search, tag names and values, echo, ready,
 * metrics; and the lab's own `GET /api/lab/traces`, the kept traces of a time range as JSON lines
 * (for a run's record, traces.jsonl). Errors in the fleet's shape; every bad parameter named.
 */
import { Readable } from 'node:stream'
import { errorHandlerPlugin, notFound } from '@food/errors'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { TraceStoreConfig } from '../config.ts'
import type { TraceStoreMetrics } from '../metrics.ts'
import type { TraceStore } from '../store/store.ts'
import type { HeldTrace } from '../store/trace.ts'
import { resourceSpansOf, traceByIdProtobuf, traceProtobuf } from './otlp-json.ts'
import { invalid, readQuery, timeRange, unixMillis } from './params.ts'
import { durationMs, inRange, parseSearch, search } from './search.ts'
import { parseTagQuery, tagNames, tagValues } from './tags.ts'

export interface ApiOptions {
  store: TraceStore
  metrics: TraceStoreMetrics
  config: TraceStoreConfig
}

const PROTOBUF = 'application/protobuf'

/** Tempo takes ids of up to 32 hex digits and pads them on the left. */
function traceIdOf(text: string): string {
  if (!/^[0-9a-fA-F]{1,32}$/.test(text))
    throw invalid('traceID', `\`${text.slice(0, 64)}\` is not a trace id (1 to 32 hex digits)`)
  return text.toLowerCase().padStart(32, '0')
}

/** The lab's line for a kept trace: Tempo's search fields, why it was kept, and the trace as OTLP JSON. */
const exportLine = (trace: HeldTrace) => {
  const summary = trace.summary()
  return `${JSON.stringify({
    traceID: summary.traceID,
    rootServiceName: summary.rootServiceName,
    rootTraceName: summary.rootTraceName,
    startTimeUnixNano: summary.startTimeUnixNano,
    durationMs: durationMs(summary.durationNanos),
    keptBecause: trace.keptBecause,
    keptDetail: trace.keptDetail,
    decidedAt: trace.decidedAt === undefined ? undefined : new Date(trace.decidedAt).toISOString(),
    resourceSpans: resourceSpansOf(trace),
  })}\n`
}

function* lines(traces: readonly HeldTrace[]) {
  for (const trace of traces) yield exportLine(trace)
}

/** Builds the API (not listening): `app.listen({ host: '127.0.0.1', port: 3200 })`. */
export async function buildApi({ store, metrics, config }: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  await app.register(errorHandlerPlugin)

  const traceById = (version: 1 | 2) => async (request: FastifyRequest, reply: FastifyReply) => {
    const traceId = traceIdOf((request.params as { traceId: string }).traceId)
    const { start, end } = timeRange(readQuery(request.query, ['start', 'end'], request.routeOptions.url ?? ''))
    const found = store.find(traceId)
    if (found.state === 'dropped') {
      throw notFound(
        'TRACE_NOT_KEPT',
        `Trace ${traceId} was dropped by tail sampling at ${new Date(found.decidedAt).toISOString()}: no error status, no span event of ${config.keepEvents.join(', ')}, root not above its route's p99, and outside the kept share (${config.sampleShare})`,
      )
    }
    if (found.state === 'unknown' || !inRange(found.trace, start, end)) {
      throw notFound(
        'TRACE_NOT_FOUND',
        `Trace ${traceId} is not in the store: never received, or evicted to stay within maxBytes`,
      )
    }
    // A trace still waiting for its decision is answered too, marked so.
    reply.header('x-trace-store-state', found.state)
    if (request.headers.accept?.includes(PROTOBUF)) {
      return reply.type(PROTOBUF).send(version === 1 ? traceProtobuf(found.trace) : traceByIdProtobuf(found.trace))
    }
    const resourceSpans = resourceSpansOf(found.trace)
    return version === 1 ? { batches: resourceSpans } : { trace: { resourceSpans } }
  }

  app.get('/api/traces/:traceId', traceById(1))
  app.get('/api/v2/traces/:traceId', traceById(2))

  app.get('/api/search', async (request) => search(store.keptTraces(), parseSearch(request.query, config)))

  app.get('/api/search/tags', async (request) => {
    const names = tagNames(store.keptTraces(), parseTagQuery(request.query, '/api/search/tags', true))
    return { tagNames: [...new Set([...names.values()].flat())].sort(), metrics: {} }
  })
  app.get('/api/v2/search/tags', async (request) => {
    const names = tagNames(store.keptTraces(), parseTagQuery(request.query, '/api/v2/search/tags', true, true))
    return { scopes: [...names].map(([name, tags]) => ({ name, tags })), metrics: {} }
  })
  app.get<{ Params: { tag: string } }>('/api/search/tag/:tag/values', async (request) => {
    const query = parseTagQuery(request.query, '/api/search/tag/<tag>/values', false)
    return { tagValues: tagValues(store.keptTraces(), request.params.tag, query), metrics: {} }
  })

  // The lab's own: kept traces that overlap [since, until] (unix ms), one JSON object a line.
  app.get('/api/lab/traces', async (request, reply) => {
    const values = readQuery(request.query, ['since', 'until'], '/api/lab/traces')
    const since = unixMillis(values, 'since') ?? 0
    const until = unixMillis(values, 'until') ?? Number.MAX_SAFE_INTEGER
    if (until < since) throw invalid('until', `${until} is before since (${since})`)
    const traces = [...store.keptTraces()].filter((trace) => {
      const { startUs, endUs } = trace.summary()
      return endUs >= since * 1000 && startUs <= until * 1000
    })
    // Decided within decisionWaitMs of their last span: a record taken sooner misses the last traces.
    reply.header('x-trace-store-pending-traces', String(store.pendingCount))
    reply.header('x-trace-store-decision-wait-ms', String(config.decisionWaitMs))
    // Written a line at a time: a full store is tens of megabytes of JSON.
    return reply.type('application/x-ndjson').send(Readable.from(lines(traces)))
  })

  app.get('/api/echo', async (_request, reply) => reply.type('text/plain').send('echo'))
  app.get('/ready', async (_request, reply) => reply.type('text/plain').send('ready'))
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  )
  return app
}
