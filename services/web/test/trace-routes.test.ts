/**
 * The web server's routes for the Traces page, against a real trace store (@food/trace-store on
 * free ports) fed over OTLP/HTTP with spans of the fleet's shape, and real log files in a temporary
 * directory: the store's API answered as the store answers it, the list's summaries, a trace's log
 * lines within their bound, every bad parameter named, and a clear 200 when there is no store.
 */
import { randomBytes } from 'node:crypto'
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@food/testing'
import { type RunningTraceStore, startTraceStore } from '@food/trace-store'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWebApp } from '../src/app.ts'
import { loadWebConfig } from '../src/config.ts'
import { MAX_BYTES, MAX_LINES } from '../src/logs.ts'
import { flatten, type KeyValue, summarize, tree } from '../src/otlp.ts'
import { NO_STORE } from '../src/trace-store.ts'

const hex = (bytes: number) => randomBytes(bytes).toString('hex')
const nanos = (ms: number) => String(BigInt(Math.round(ms * 1000)) * 1000n)
const text = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } })
const int = (key: string, value: number): KeyValue => ({ key, value: { intValue: String(value) } })

interface SpanShape {
  service: string
  name: string
  kind: number
  id?: string
  parent?: string
  from: number
  ms: number
  attributes?: KeyValue[]
  error?: boolean
  fault?: string
}

/** One trace as the services export it: OTLP JSON, a ResourceSpans per service. */
function otlpTrace(traceId: string, at: number, spans: SpanShape[]) {
  const services = [...new Set(spans.map((span) => span.service))]
  return {
    resourceSpans: services.map((service) => ({
      resource: {
        attributes: [text('service.name', `${service}-service`), text('service.namespace', 'food-delivery')],
      },
      scopeSpans: [
        {
          scope: { name: 'test' },
          spans: spans
            .filter((span) => span.service === service)
            .map((span) => ({
              traceId,
              spanId: span.id ?? hex(8),
              ...(span.parent ? { parentSpanId: span.parent } : {}),
              name: span.name,
              kind: span.kind,
              startTimeUnixNano: nanos(at + span.from),
              endTimeUnixNano: nanos(at + span.from + span.ms),
              attributes: span.attributes ?? [],
              status: span.error ? { code: 2, message: 'failed' } : {},
              events: span.fault
                ? [
                    {
                      timeUnixNano: nanos(at + span.from + 1),
                      name: 'chaos.injected',
                      attributes: [text('chaos.fault', span.fault), int('chaos.value', 100)],
                    },
                  ]
                : [],
            })),
        },
      ],
    })),
  }
}

/** An order's trace: the order service's request, its call to the user service, PostgreSQL and Redis calls. */
function orderTrace(
  traceId: string,
  at: number,
  options: { orderId: number; fault?: string; ms?: number; error?: boolean },
) {
  const [root, call, validate, store] = [hex(8), hex(8), hex(8), hex(8)]
  const ms = options.ms ?? 120
  return otlpTrace(traceId, at, [
    {
      service: 'order',
      name: 'POST /orders',
      kind: 2,
      id: root,
      from: 0,
      ms,
      attributes: [text('http.route', '/orders'), int('http.response.status_code', options.error ? 503 : 201)],
      error: options.error,
    },
    {
      service: 'order',
      name: 'POST',
      kind: 3,
      id: call,
      parent: root,
      from: 5,
      ms: 20,
      attributes: [text('url.path', '/validate'), int('http.response.status_code', 200)],
    },
    {
      service: 'user',
      name: 'POST /validate',
      kind: 2,
      id: validate,
      parent: call,
      from: 7,
      ms: 15,
      attributes: [text('http.route', '/validate')],
    },
    {
      service: 'user',
      name: 'pg.query:SELECT users',
      kind: 3,
      parent: validate,
      from: 8,
      ms: 4,
      attributes: [text('db.system.name', 'postgresql')],
    },
    {
      service: 'order',
      name: 'order.store',
      kind: 1,
      id: store,
      parent: root,
      from: 30,
      ms: 20,
      attributes: [int('order.id', options.orderId)],
    },
    {
      service: 'order',
      name: 'get',
      kind: 3,
      parent: store,
      from: 31,
      ms: 1,
      attributes: [text('db.system.name', 'redis')],
    },
    {
      service: 'order',
      name: 'order.payment',
      kind: 1,
      parent: root,
      from: 60,
      ms: 1,
      attributes: [int('order.id', options.orderId)],
      fault: options.fault,
    },
  ])
}

let store: RunningTraceStore
let dropping: RunningTraceStore
let web: FastifyInstance
let logDir: string
const at = Date.now() - 60_000
const ids = { plain: hex(16), struck: hex(16), failed: hex(16), other: hex(16), dropped: hex(16) }

async function send(target: RunningTraceStore, body: unknown) {
  const response = await fetch(`${target.otlpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(200)
}

/** Until the store has decided every trace sent. */
async function decided(target: RunningTraceStore) {
  for (let i = 0; i < 200 && target.store.pendingCount > 0; i++) await new Promise((resolve) => setTimeout(resolve, 25))
}

const get = async (app: FastifyInstance, url: string, headers: Record<string, string> = {}) => {
  const response = await app.inject({ method: 'GET', url, headers })
  return { status: response.statusCode, headers: response.headers, body: response.body, json: () => response.json() }
}

const logLine = (service: string, time: string, traceId: string | undefined, fields: Record<string, unknown> = {}) =>
  `${JSON.stringify({ level: 30, time, service, ...(traceId ? { trace_id: traceId, span_id: hex(8) } : {}), msg: 'request completed', ...fields })}\n`

beforeAll(async () => {
  store = await startTraceStore({ otlpPort: 0, apiPort: 0, decisionWaitMs: 100, decisionTickMs: 20, sampleShare: 1 })
  // A store that keeps no ordinary trace: tail sampling drops the healthy ones.
  dropping = await startTraceStore({ otlpPort: 0, apiPort: 0, decisionWaitMs: 100, decisionTickMs: 20, sampleShare: 0 })
  await send(store, orderTrace(ids.plain, at, { orderId: 42 }))
  await send(store, orderTrace(ids.struck, at + 1000, { orderId: 142, fault: 'payment_fail', ms: 300 }))
  await send(store, orderTrace(ids.failed, at + 2000, { orderId: 7, error: true, ms: 40 }))
  await send(
    store,
    otlpTrace(ids.other, at + 3000, [
      {
        service: 'restaurant',
        name: 'GET /menus/:id',
        kind: 2,
        from: 0,
        ms: 3,
        attributes: [text('http.route', '/menus/:id')],
      },
    ]),
  )
  await send(dropping, orderTrace(ids.dropped, at, { orderId: 1 }))
  await Promise.all([decided(store), decided(dropping)])

  logDir = await mkdtemp(join(tmpdir(), 'web-logs-'))
  const t = (s: number) => new Date(at + s * 1000).toISOString()
  await writeFile(
    join(logDir, 'order.log'),
    [
      logLine('order', t(0.05), ids.struck, { route: '/orders', status: 201 }),
      'not json at all\n',
      logLine('order', t(0.2), ids.plain, { route: '/orders', status: 201 }),
      logLine('order', t(0.1), undefined, { route: '/health/ready' }),
    ].join(''),
  )
  await writeFile(join(logDir, 'user.log'), logLine('user', t(0.01), ids.plain, { route: '/validate', status: 200 }))
  // The restaurant's current file is small: the line is in the one rotated before it.
  await writeFile(join(logDir, 'restaurant.log'), logLine('restaurant', t(0.5), undefined))
  await writeFile(join(logDir, 'restaurant.log.1'), logLine('restaurant', t(0.1), ids.plain, { msg: 'stock changed' }))
  web = await buildWebApp(
    loadWebConfig({
      TRACE_STORE_URL: store.apiUrl,
      FLEET_LOG_DIR: logDir,
      LOG_LEVEL: 'silent',
      PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}`,
    }),
    '/nonexistent',
  )
})
afterAll(async () => {
  await web?.close()
  await store?.close()
  await dropping?.close()
  if (logDir) await rm(logDir, { recursive: true, force: true })
})

describe('the trace store’s API through the web server', () => {
  it('answers a trace by id as the store does (OTLP JSON, v1 and v2; protobuf when asked)', async () => {
    for (const path of [`/api/traces/${ids.plain}`, `/api/v2/traces/${ids.plain}`]) {
      const [ours, theirs] = [await get(web, path), await fetch(`${store.apiUrl}${path}`)]
      expect(ours.status).toBe(200)
      expect(ours.headers['content-type']).toBe(theirs.headers.get('content-type'))
      expect(ours.json()).toEqual(await theirs.json())
      expect(ours.headers['cache-control']).toBe('no-store')
    }
    const protobuf = await get(web, `/api/traces/${ids.plain}`, { accept: 'application/protobuf' })
    expect(protobuf.headers['content-type']).toBe('application/protobuf')
    const direct = await fetch(`${store.apiUrl}/api/traces/${ids.plain}`, {
      headers: { accept: 'application/protobuf' },
    })
    expect(Buffer.from(protobuf.body, 'binary').length).toBeGreaterThan(0)
    expect((await direct.arrayBuffer()).byteLength).toBeGreaterThan(0)
  })

  it('searches as the store does: tags, durations, tag names and values', async () => {
    for (const query of [
      `/api/search?tags=${encodeURIComponent('chaos.injected=true')}`,
      `/api/search?tags=${encodeURIComponent('service.name=order status=error')}&minDuration=10ms`,
      '/api/search/tags',
      '/api/v2/search/tags',
      '/api/search/tag/http.route/values',
    ]) {
      const ours = await get(web, query)
      const theirs = await fetch(`${store.apiUrl}${query}`)
      expect({ query, status: ours.status }).toEqual({ query, status: 200 })
      expect(ours.json()).toEqual(await theirs.json())
    }
    const struck = (await get(web, `/api/search?tags=${encodeURIComponent('chaos.injected=true')}`)).json()
    expect(struck.traces.map((trace: { traceID: string }) => trace.traceID)).toEqual([ids.struck])
    expect((await get(web, '/api/search/tag/http.route/values')).json().tagValues).toEqual([
      '/menus/:id',
      '/orders',
      '/validate',
    ])
  })

  it('passes on the store’s 400 naming the parameter, and its 404s: never received, dropped by tail sampling', async () => {
    const bad = await get(web, '/api/search?minDuration=fast')
    expect(bad.status).toBe(400)
    expect(bad.json()).toMatchObject({ error: { code: 'INVALID_PARAMETER', details: { parameter: 'minDuration' } } })
    const unknown = await get(web, '/api/search?servic=order')
    expect(unknown.json()).toMatchObject({ error: { code: 'UNKNOWN_PARAMETER', details: { parameter: 'servic' } } })
    const missing = await get(web, `/api/traces/${hex(16)}`)
    expect(missing.status).toBe(404)
    expect(missing.json().error.code).toBe('TRACE_NOT_FOUND')
    const badId = await get(web, '/api/traces/not-a-trace')
    expect(badId.json()).toMatchObject({ error: { code: 'INVALID_PARAMETER', details: { parameter: 'traceID' } } })

    const sampled = await buildWebApp(
      loadWebConfig({ TRACE_STORE_URL: dropping.apiUrl, LOG_LEVEL: 'silent' }),
      '/nonexistent',
    )
    try {
      const dropped = await get(sampled, `/api/traces/${ids.dropped}`)
      expect(dropped.status).toBe(404)
      expect(dropped.json().error).toMatchObject({
        code: 'TRACE_NOT_KEPT',
        message: expect.stringContaining('dropped by tail sampling'),
      })
    } finally {
      await sampled.close()
    }
  })

  it('lists the traces a search finds, each summarised: root, route, status, errors, faults, services, orders', async () => {
    const list = await get(web, `/api/trace-list?tags=${encodeURIComponent('service.name=order-service')}&limit=10`)
    expect(list.status).toBe(200)
    const body = list.json()
    expect(body).toMatchObject({ reachable: true, store: store.apiUrl })
    expect(body.traces.map((trace: { traceID: string }) => trace.traceID)).toEqual([ids.failed, ids.struck, ids.plain])
    const [failed, struck, plain] = body.traces
    expect(plain).toEqual({
      traceID: ids.plain,
      startUnixMs: at,
      durationMs: 120,
      service: 'order',
      name: 'POST /orders',
      route: '/orders',
      statusCode: 201,
      errors: 0,
      faults: [],
      services: ['order', 'user'],
      spans: 7,
      orderIds: ['42'],
    })
    expect(struck).toMatchObject({ faults: ['payment_fail'], durationMs: 300, orderIds: ['142'] })
    expect(failed).toMatchObject({ statusCode: 503, errors: 1, faults: [] })
    const refused = await get(web, '/api/trace-list?limit=0')
    expect(refused.status).toBe(400)
    expect(refused.json()).toMatchObject({ error: { details: { parameter: 'limit' } } })
  })

  it('says there is no store, 200, when TRACE_STORE_URL is not set or the store does not answer: never a 500', async () => {
    const without = await buildWebApp(loadWebConfig({ LOG_LEVEL: 'silent' }), '/nonexistent')
    const port = await freePort()
    const gone = await buildWebApp(
      loadWebConfig({ TRACE_STORE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'silent' }),
      '/nonexistent',
    )
    try {
      for (const path of [
        `/api/traces/${ids.plain}`,
        '/api/search?tags=status%3Derror',
        '/api/search/tags',
        '/api/trace-list',
      ]) {
        expect((await get(without, path)).json()).toEqual({ reachable: false, store: null, error: NO_STORE })
        const answer = await get(gone, path)
        expect(answer.status).toBe(200)
        expect(answer.json()).toEqual({
          reachable: false,
          store: `http://127.0.0.1:${port}`,
          error: `the trace store at http://127.0.0.1:${port} did not answer: ECONNREFUSED`,
        })
      }
    } finally {
      await without.close()
      await gone.close()
    }
  })
})

describe('a trace’s log lines (GET /api/logs)', () => {
  it('joins the three services’ lines of the trace by trace_id, oldest first, the rotated file read too', async () => {
    const answer = await get(web, `/api/logs?trace_id=${ids.plain}`)
    expect(answer.status).toBe(200)
    const body = answer.json()
    expect(body.lines.map((line: { service: string; msg: string }) => `${line.service} ${line.msg}`)).toEqual([
      'user request completed',
      'restaurant stock changed',
      'order request completed',
    ])
    expect(body.lines[2]).toMatchObject({
      level: 'info',
      fields: { route: '/orders', status: 201, trace_id: ids.plain },
    })
    expect(body.truncated).toBe(false)
    const restaurant = body.services.find((service: { service: string }) => service.service === 'restaurant')
    expect(restaurant.files.map((file: { file: string }) => file.file)).toEqual(['restaurant.log', 'restaurant.log.1'])
    expect(restaurant.searched_from).toBe(new Date(at + 100).toISOString())
  })

  it('reads only the newest MAX_BYTES of a service’s logs, and answers at most MAX_LINES lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'web-logs-big-'))
    const old = hex(16)
    const busy = hex(16)
    try {
      // The old trace's line, then more than MAX_BYTES of others: out of reach.
      await writeFile(join(dir, 'order.log'), logLine('order', '2026-01-01T00:00:00.000Z', old))
      const filler = logLine('order', '2026-01-01T00:00:01.000Z', hex(16), { pad: 'x'.repeat(900) })
      await appendFile(join(dir, 'order.log'), filler.repeat(Math.ceil(MAX_BYTES / filler.length) + 10))
      await appendFile(join(dir, 'order.log'), logLine('order', '2026-01-01T00:00:02.000Z', busy).repeat(MAX_LINES + 5))
      const app = await buildWebApp(loadWebConfig({ FLEET_LOG_DIR: dir, LOG_LEVEL: 'silent' }), '/nonexistent')
      try {
        const gone = (await get(app, `/api/logs?trace_id=${old}`)).json()
        expect(gone.lines).toEqual([])
        const order = gone.services.find((service: { service: string }) => service.service === 'order')
        expect(order.files).toEqual([{ file: 'order.log', bytes: MAX_BYTES }])
        expect(order.searched_from).toBe('2026-01-01T00:00:01.000Z')
        expect(gone.services.find((service: { service: string }) => service.service === 'user')).toMatchObject({
          found: false,
          files: [],
        })
        const many = (await get(app, `/api/logs?trace_id=${busy}`)).json()
        expect(many.lines).toHaveLength(MAX_LINES)
        expect(many.truncated).toBe(true)
      } finally {
        await app.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses a missing, malformed or unknown parameter with a 400 naming it, in the fleet’s shape', async () => {
    const cases = [
      ['/api/logs', 'INVALID_PARAMETER', 'trace_id'],
      ['/api/logs?trace_id=xyz', 'INVALID_PARAMETER', 'trace_id'],
      [`/api/logs?trace_id=${ids.plain.toUpperCase()}`, 'INVALID_PARAMETER', 'trace_id'],
      [`/api/logs?trace_id=${ids.plain}&trace_id=${ids.plain}`, 'INVALID_PARAMETER', 'trace_id'],
      [`/api/logs?trace_id=${ids.plain}&service=order`, 'UNKNOWN_PARAMETER', 'service'],
    ] as const
    for (const [url, code, parameter] of cases) {
      const answer = await get(web, url)
      expect({ url, status: answer.status }).toEqual({ url, status: 400 })
      const body = answer.json()
      expect(body).toEqual({
        error: { code, message: expect.stringContaining(parameter), details: { parameter } },
        detail: body.error.message,
      })
    }
  })

  it('says there are no log files, 200, when FLEET_LOG_DIR is not set', async () => {
    const app = await buildWebApp(loadWebConfig({ LOG_LEVEL: 'silent' }), '/nonexistent')
    try {
      const answer = await get(app, `/api/logs?trace_id=${ids.plain}`)
      expect(answer.status).toBe(200)
      expect(answer.json()).toMatchObject({
        reachable: false,
        lines: [],
        error: expect.stringContaining('FLEET_LOG_DIR'),
      })
    } finally {
      await app.close()
    }
  })
})

describe('a trace read for the waterfall (src/otlp.ts)', () => {
  it('puts each span under its parent, across the services, and a span whose parent was not kept at the top', () => {
    const trace = orderTrace(hex(16), at, { orderId: 1 })
    // The user service's part only: its server span's caller is not in the trace.
    const users = trace.resourceSpans.filter(
      (group) => group.resource.attributes[0]?.value.stringValue === 'user-service',
    )
    const rows = tree(flatten(users).spans)
    expect(rows.map((row) => `${row.depth} ${row.span.name}`)).toEqual(['0 POST /validate', '1 pg.query:SELECT users'])
    const all = flatten(trace.resourceSpans)
    expect(tree(all.spans).map((row) => `${row.depth} ${row.span.service} ${row.span.name}`)).toEqual([
      '0 order POST /orders',
      '1 order POST',
      '2 user POST /validate',
      '3 user pg.query:SELECT users',
      '1 order order.store',
      '2 order get',
      '1 order order.payment',
    ])
    expect(summarize('x', trace.resourceSpans).services).toEqual(['order', 'user'])
  })
})
