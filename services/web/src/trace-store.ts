/**
 * The trace store (npm start's, Tempo's HTTP API at TRACE_STORE_URL) through the web server, same
 * origin for the Traces page: `/api/traces/<id>`, `/api/v2/traces/<id>` and `/api/search…`
 * answered as the store answers them (status, body, content type: its 400s naming a parameter, its
 * 404s for a trace never received or dropped by tail sampling); and `/api/trace-list`, a search
 * whose traces are summarised for the list. Without a store, or when it does not answer: 200 and
 * `{reachable: false, error}`, as /api/alerts says Prometheus is not there, never a 500.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type ResourceSpans, summarize, type TraceRowView } from './otlp.ts'

const TIMEOUT_MS = 5000
// Summarising reads each trace of the page: a few at a time, and no more than the page can show.
const CONCURRENCY = 8
const MAX_LISTED = 200

export interface StoreUnavailable {
  reachable: false
  store: string | null
  error: string
}

export interface TraceList {
  reachable: true
  store: string
  traces: TraceRowView[]
}

export const NO_STORE =
  'TRACE_STORE_URL is not set: npm start runs the trace store and sets it, unless TRACING=off or OTEL_EXPORTER_OTLP_ENDPOINT sends the traces elsewhere'

/** Why a server did not answer, in a few words: `ECONNREFUSED`, a timeout, a message. */
export function reasonOf(error: unknown, timeoutMs = TIMEOUT_MS): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`
  if (error instanceof SyntaxError) return 'its answer is not JSON'
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (error as Error).message
}

/** The trace store's client: its URL, and reads with a deadline. */
export class TraceStoreClient {
  readonly url: string

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '')
  }

  fetch(path: string, init: RequestInit = {}) {
    return fetch(`${this.url}${path}`, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) })
  }

  /** A trace's spans, or undefined when the store does not have it (never received, dropped, evicted). */
  async trace(traceId: string): Promise<ResourceSpans[] | undefined> {
    const response = await this.fetch(`/api/traces/${traceId}`)
    // Read to its end whatever it says: a body left unread holds the connection.
    const body = await response.text()
    if (response.status === 404) return undefined
    if (!response.ok) throw new Error(`the trace store answered ${response.status}`)
    return (JSON.parse(body) as { batches: ResourceSpans[] }).batches
  }
}

async function mapLimited<T, R>(items: T[], limit: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await each(items[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

const queryOf = (request: FastifyRequest) => {
  const at = request.url.indexOf('?')
  return at === -1 ? '' : request.url.slice(at)
}

export function traceStoreRoutes(app: FastifyInstance, storeUrl: string | undefined) {
  const store = storeUrl ? new TraceStoreClient(storeUrl) : undefined
  const unavailable = (error: string): StoreUnavailable => ({ reachable: false, store: store?.url ?? null, error })

  /** The store's own answer to the same request, passed on. */
  const passOn = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store')
    if (!store) return unavailable(NO_STORE)
    let response: Response
    try {
      const accept = request.headers.accept
      response = await store.fetch(request.url, { headers: accept ? { accept } : {} })
    } catch (error) {
      return unavailable(`the trace store at ${store.url} did not answer: ${reasonOf(error)}`)
    }
    reply.code(response.status)
    for (const header of ['content-type', 'x-trace-store-state']) {
      const value = response.headers.get(header)
      if (value) reply.header(header, value)
    }
    return reply.send(Buffer.from(await response.arrayBuffer()))
  }
  for (const path of [
    '/api/traces/:traceId',
    '/api/v2/traces/:traceId',
    '/api/search',
    '/api/search/*',
    '/api/v2/search/tags',
  ]) {
    app.get(path, passOn)
  }

  /** Tempo's search (the same parameters, checked by the store), each trace found summarised for the list. */
  app.get('/api/trace-list', async (request, reply): Promise<TraceList | StoreUnavailable> => {
    reply.header('cache-control', 'no-store')
    if (!store) return unavailable(NO_STORE)
    let found: { traces?: { traceID: string }[] }
    try {
      const response = await store.fetch(`/api/search${queryOf(request)}`)
      if (!response.ok) {
        // The store's 400 names the parameter: passed on as it is.
        reply.code(response.status).header('content-type', response.headers.get('content-type') ?? 'application/json')
        return reply.send(Buffer.from(await response.arrayBuffer()))
      }
      found = (await response.json()) as typeof found
    } catch (error) {
      return unavailable(`the trace store at ${store.url} did not answer: ${reasonOf(error)}`)
    }
    const ids = (found.traces ?? []).slice(0, MAX_LISTED).map((trace) => trace.traceID)
    const rows = await mapLimited(ids, CONCURRENCY, async (traceId) => {
      // Evicted between the search and now, or the store stopped: left out of the list.
      const batches = await store.trace(traceId).catch(() => undefined)
      return batches ? summarize(traceId, batches) : undefined
    })
    return { reachable: true, store: store.url, traces: rows.filter((row) => row !== undefined) }
  })
  return store
}
