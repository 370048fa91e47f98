/**
 * Tempo's HTTP API over traces the real SDK exported: a trace by id (v1 and v2, JSON and
 * protobuf), tag search by service, route, name, status, chaos.injected, durations and time range,
 * tag names and values, echo, ready, metrics; the lab's JSON-lines export; and every bad parameter
 * answered 400 in the fleet's error shape, naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TraceByIDResponse, TracesData } from '../src/otlp/proto.ts'
import type { RunningTraceStore } from '../src/start.ts'
import {
  decided,
  getJson,
  type Json,
  order,
  type ServiceTracer,
  serviceTracer,
  spansOf,
  startTestStore,
} from './helpers.ts'

let running: RunningTraceStore
let orders: ServiceTracer
let restaurant: ServiceTracer
// Three orders a minute apart, in 2023: failed (120 ms), struck by a fault (30 ms), a menu read (5 ms).
const BASE_MS = 1_700_000_000_000
const BASE_S = BASE_MS / 1000
let failed: string
let struck: string
let menus: string

beforeAll(async () => {
  running = await startTestStore({ sampleShare: 1, decisionWaitMs: 1000 })
  orders = serviceTracer(running.otlpUrl, 'order')
  restaurant = serviceTracer(running.otlpUrl, 'restaurant', 'json+gzip')
  failed = order(orders, restaurant, { ms: 120, error: true, at: BASE_MS })
  struck = order(orders, restaurant, { ms: 30, chaos: true, at: BASE_MS + 60_000 })
  menus = order(orders, restaurant, { ms: 5, route: '/menus', at: BASE_MS + 120_000 })
  await Promise.all([orders.flush(), restaurant.flush()])
  await decided(running)
})
afterAll(async () => {
  await Promise.all([orders.shutdown(), restaurant.shutdown()])
  await running.close()
})

const api = (path: string) => getJson(`${running.apiUrl}${path}`)
const search = async (query: Record<string, string>) => {
  const { status, body } = await api(`/api/search?${new URLSearchParams(query)}`)
  expect(status).toBe(200)
  return body as {
    traces: { traceID: string; spanSets?: { spans: Json[]; matched: number }[]; [key: string]: unknown }[]
    metrics: unknown
  }
}
const ids = (body: { traces: { traceID: string }[] }) => body.traces.map((trace) => trace.traceID)

describe('a trace by id', () => {
  it('is OTLP JSON under `batches` (v1) and `trace.resourceSpans` (v2), as Tempo answers', async () => {
    const v1 = await api(`/api/traces/${failed}`)
    expect(v1.status).toBe(200)
    expect(v1.headers.get('x-trace-store-state')).toBe('kept')
    const v2 = await api(`/api/v2/traces/${failed}`)
    expect(v2.body.trace.resourceSpans).toEqual(v1.body.batches)
    const spans = spansOf(v1.body.batches)
    expect(spans.map((span: Json) => span.name).sort()).toEqual([
      'POST /orders',
      'PUT /inventory/:menuId',
      'order.reserve_stock',
    ])
    expect(spans.find((span: Json) => span.name === 'order.reserve_stock').status).toEqual({
      code: 2,
      message: 'payment declined',
    })
    // An id in capitals, or with its leading zeros left out, is the same id.
    expect((await api(`/api/traces/${failed.toUpperCase()}`)).status).toBe(200)
  })

  it('is protobuf on Accept: application/protobuf (TracesData for v1, TraceByIDResponse for v2)', async () => {
    const read = async (path: string) => {
      const response = await fetch(`${running.apiUrl}${path}`, { headers: { accept: 'application/protobuf' } })
      expect(response.headers.get('content-type')).toBe('application/protobuf')
      return Buffer.from(await response.arrayBuffer())
    }
    const v1 = TracesData.toObject(TracesData.decode(await read(`/api/traces/${struck}`)), {
      bytes: String,
      longs: String,
    })
    const spans = spansOf(v1.resourceSpans)
    expect(spans).toHaveLength(3)
    expect(Buffer.from(spans[0].traceId, 'base64').toString('hex')).toBe(struck)
    const v2 = TraceByIDResponse.toObject(TraceByIDResponse.decode(await read(`/api/v2/traces/${struck}`)), {
      longs: String,
    })
    expect(v2.trace.resourceSpans).toHaveLength(2)
  })

  it('is 404 in the fleet error shape when the store never had it, or not in the time range asked', async () => {
    const unknown = await api(`/api/traces/${'f'.repeat(32)}`)
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual({
      error: { code: 'TRACE_NOT_FOUND', message: expect.any(String) },
      detail: expect.any(String),
    })
    expect((await api(`/api/traces/${failed}?start=${BASE_S + 3600}&end=${BASE_S + 7200}`)).status).toBe(404)
    expect((await api(`/api/traces/${failed}?start=${BASE_S - 1}&end=${BASE_S + 1}`)).status).toBe(200)
  })

  it('pads a short id on the left, as Tempo does', async () => {
    const span = {
      traceId: `${'0'.repeat(29)}ab1`,
      spanId: '1'.repeat(16),
      name: 'short',
      startTimeUnixNano: String(BigInt(BASE_MS) * 1_000_000n),
      endTimeUnixNano: String(BigInt(BASE_MS) * 1_000_000n + 1000n),
    }
    await fetch(`${running.otlpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
    })
    const { status, body } = await api('/api/traces/ab1')
    expect(status).toBe(200)
    expect(body.batches[0].resource).toEqual({ attributes: [] })
    await decided(running)
  })
})

describe('search', () => {
  it("answers in Tempo's shape, newest first", async () => {
    const body = await search({ tags: 'service.name=order' })
    expect(ids(body).slice(0, 3)).toEqual([menus, struck, failed])
    expect(body.traces[2]).toMatchObject({
      traceID: failed,
      rootServiceName: 'order',
      rootTraceName: 'POST /orders',
      startTimeUnixNano: `${BASE_MS}000000`,
      durationMs: 120,
    })
    expect(body.metrics).toMatchObject({ inspectedTraces: 4, inspectedBytes: expect.stringMatching(/^\d+$/) })
  })

  it('finds by status, showing the matching spans with their service', async () => {
    const body = await search({ tags: 'status=error' })
    expect(ids(body)).toEqual([failed])
    expect(body.traces[0]?.spanSets?.[0]).toEqual({
      matched: 1,
      spans: [
        {
          spanID: expect.stringMatching(/^[0-9a-f]{16}$/),
          name: 'order.reserve_stock',
          startTimeUnixNano: `${BASE_MS + 12}000000`,
          durationNanos: '72000000',
          attributes: [
            { key: 'service.name', value: { stringValue: 'order' } },
            { key: 'status', value: { stringValue: 'error' } },
          ],
        },
      ],
    })
  })

  it('finds the traces a fault struck (chaos.injected), on the span it struck', async () => {
    const body = await search({ tags: 'chaos.injected=true' })
    expect(ids(body)).toEqual([struck])
    expect(body.traces[0]?.spanSets?.[0]?.spans[0]).toMatchObject({
      name: 'PUT /inventory/:menuId',
      attributes: [
        { key: 'service.name', value: { stringValue: 'restaurant' } },
        { key: 'chaos.injected', value: { boolValue: true } },
      ],
    })
  })

  it('matches every tag on one span: service and route, a quoted name, a resource attribute', async () => {
    expect(ids(await search({ tags: 'service.name=order http.route=/menus' }))).toEqual([menus])
    expect(ids(await search({ tags: 'service.name=restaurant http.route=/menus' }))).toEqual([])
    expect(ids(await search({ tags: 'name="POST /orders"' }))).toEqual([struck, failed])
    // Case-insensitive substrings, as Tempo's tag search matches.
    expect(ids(await search({ tags: 'service.name=RESTAU name=inventory' }))).toEqual([menus, struck, failed])
    expect(ids(await search({ tags: 'service.namespace=food-delivery status=error' }))).toEqual([failed])
  })

  it('filters by duration (Go durations) and by time range (unix seconds), and limits', async () => {
    expect(ids(await search({ tags: 'service.name=order', minDuration: '100ms' }))).toEqual([failed])
    expect(ids(await search({ tags: 'service.name=order', maxDuration: '0.01s' }))).toEqual([menus])
    expect(ids(await search({ tags: 'service.name=order', minDuration: '20ms', maxDuration: '50ms' }))).toEqual([
      struck,
    ])
    expect(ids(await search({ start: String(BASE_S + 30), end: String(BASE_S + 90) }))).toEqual([struck])
    expect(ids(await search({ tags: 'service.name=order', limit: '1' }))).toEqual([menus])
    const spss = await search({ tags: 'service.name=order', limit: '1', spss: '1' })
    expect(spss.traces[0]?.spanSets?.[0]).toMatchObject({ matched: 2, spans: [expect.anything()] })
  })
})

describe('tags', () => {
  it('lists tag names as Tempo does: resource and span by default, a scope when asked', async () => {
    const { body } = await api('/api/search/tags')
    expect(body.tagNames).toEqual(
      expect.arrayContaining(['service.name', 'service.namespace', 'http.route', 'order.items']),
    )
    expect(body.tagNames).not.toContain('chaos.fault')
    expect((await api('/api/search/tags?scope=intrinsic')).body.tagNames).toEqual([
      'chaos.injected',
      'kind',
      'name',
      'status',
    ])
    expect((await api('/api/search/tags?scope=event')).body.tagNames).toEqual(['chaos.fault', 'chaos.value'])
    const v2 = await api('/api/v2/search/tags')
    expect(v2.body.scopes.map((scope: { name: string }) => scope.name)).toEqual([
      'resource',
      'span',
      'intrinsic',
      'event',
      'link',
      'instrumentation',
    ])
  })

  it("lists a tag's values", async () => {
    const values = async (tag: string) => (await api(`/api/search/tag/${tag}/values`)).body.tagValues
    expect(await values('service.name')).toEqual(['order', 'restaurant'])
    expect(await values('http.route')).toEqual(['/inventory/:menuId', '/menus', '/orders'])
    expect(await values('status')).toEqual(['error', 'unset'])
    expect(await values('chaos.injected')).toEqual(['false', 'true'])
    expect(await values('kind')).toEqual(['internal', 'server', 'unspecified'])
    expect(await values('name')).toContain('order.reserve_stock')
    expect(
      (await api(`/api/search/tag/service.name/values?start=${BASE_S + 30}&end=${BASE_S + 90}&limit=1`)).body.tagValues,
    ).toEqual(['order'])
  })
})

describe("the lab's export and the probes", () => {
  it('writes the kept traces of a time range as JSON lines, each a whole trace', async () => {
    const response = await fetch(`${running.apiUrl}/api/lab/traces?since=${BASE_MS + 30_000}&until=${BASE_MS + 90_000}`)
    expect(response.headers.get('content-type')).toBe('application/x-ndjson')
    expect(response.headers.get('x-trace-store-decision-wait-ms')).toBe('1000')
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      traceID: struck,
      rootServiceName: 'order',
      durationMs: 30,
      keptBecause: 'event',
      keptDetail: 'span PUT /inventory/:menuId has an event chaos.injected',
      decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    expect(lines[0].resourceSpans).toHaveLength(2)
    const all = (await (await fetch(`${running.apiUrl}/api/lab/traces`)).text()).trim().split('\n')
    expect(all).toHaveLength(4)
  })

  it('answers echo, ready and metrics', async () => {
    expect(await api('/api/echo')).toMatchObject({ status: 200, body: 'echo' })
    expect(await api('/ready')).toMatchObject({ status: 200, body: 'ready' })
    const metrics = (await api('/metrics')).body as string
    expect(metrics).toMatch(/^trace_store_spans_received_total 10$/m)
    expect(metrics).toMatch(/^trace_store_traces\{state="kept"\} 4$/m)
    expect(metrics).toMatch(/^process_resident_memory_bytes /m)
  })
})

describe('bad parameters', () => {
  it.each([
    ['/api/search?minDuration=fast', 'minDuration', /is not a duration/],
    ['/api/search?maxDuration=1x', 'maxDuration', /is not a duration/],
    ['/api/search?minDuration=1s&maxDuration=10ms', 'maxDuration', /is less than minDuration/],
    ['/api/search?start=yesterday', 'start', /is not a time in unix seconds/],
    [`/api/search?start=${BASE_S}&end=${BASE_S - 1}`, 'end', /is before start/],
    ['/api/search?limit=0', 'limit', /from 1 to 1000/],
    ['/api/search?limit=many', 'limit', /from 1 to 1000/],
    ['/api/search?limit=1001', 'limit', /from 1 to 1000/],
    ['/api/search?limit=1&limit=2', 'limit', /given more than once/],
    ['/api/search?spss=0', 'spss', /from 1 to 100/],
    ['/api/search?tags=service.name', 'tags', /`service.name` has no value/],
    ['/api/search?tags=name%3D%22POST', 'tags', /opens a quote it does not close/],
    ['/api/search?tags=status%3Deror', 'tags', /`eror` is not a status: unset, ok, error — did you mean `error`\?/],
    ['/api/search?tags=chaos.injected%3Dmaybe', 'tags', /true or false/],
    ['/api/search?tags=kind%3Dservr', 'tags', /did you mean `server`/],
    ['/api/search?q=%7Bstatus%3Derror%7D', 'q', /TraceQL is not supported/],
    ['/api/traces/not-an-id', 'traceID', /is not a trace id/],
    [`/api/traces/${'a'.repeat(33)}`, 'traceID', /is not a trace id/],
    ['/api/traces/ab1?start=soon', 'start', /unix seconds/],
    ['/api/search/tags?scope=spam', 'scope', /did you mean `span`/],
    ['/api/search/tag/name/values?limit=-1', 'limit', /from 1 to 10000/],
    ['/api/lab/traces?since=abc', 'since', /unix milliseconds/],
    ['/api/lab/traces?since=2000&until=1000', 'until', /is before since/],
  ])('%s → 400 naming %s', async (path, parameter, message) => {
    const { status, body } = await api(path)
    expect(status).toBe(400)
    expect(body).toEqual({
      error: { code: 'INVALID_PARAMETER', message: expect.stringMatching(message), details: { parameter } },
      detail: body.error.message,
    })
    expect(body.error.message.startsWith(`${parameter}: `)).toBe(true)
  })

  it('names an unknown parameter, and the one likely meant', async () => {
    const { status, body } = await api('/api/search?minduration=1s')
    expect(status).toBe(400)
    expect(body.error).toEqual({
      code: 'UNKNOWN_PARAMETER',
      message:
        '`minduration` is not a parameter of /api/search: tags, minDuration, maxDuration, start, end, limit, spss, q — did you mean `minDuration`?',
      details: { parameter: 'minduration' },
    })
  })

  it('answers an unknown route with 404 in the fleet error shape', async () => {
    const { status, body } = await api('/api/nothing')
    expect(status).toBe(404)
    expect(body.error.code).toBe('ROUTE_NOT_FOUND')
  })
})
