import { fileURLToPath } from 'node:url'
import {
  type ChildService,
  createDatabaseFromTemplate,
  type ReceivedSpan,
  spawnService,
  startOtlpReceiver,
  uniqueRedisPrefix,
} from '@food/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'

const serviceDir = (name: string) => fileURLToPath(new URL(`../../../${name}`, import.meta.url))

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>
const services: Record<string, ChildService> = {}
const databases: { url: string; drop: () => Promise<void> }[] = []

async function start(name: string, env: Record<string, string> = {}) {
  const database = await createDatabaseFromTemplate(inject('postgresUrl'), inject('templates')[name] as string)
  databases.push(database)
  services[name] = await spawnService(serviceDir(name), {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: uniqueRedisPrefix(name),
    OTEL_SERVICE_NAME: `${name}-service`,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    ...env,
  })
  return database
}

const post = async (url: string, json: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(json),
  })
  lastTraceId = response.headers.get('x-trace-id')
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever JSON the service sent
  return { status: response.status, body: (await response.json()) as any }
}

async function waitForSpan(name: string): Promise<ReceivedSpan> {
  for (let i = 0; i < 100; i++) {
    const span = receiver.spans.find((each) => each.name === name)
    if (span) return span
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no span ${name} arrived`)
}

async function spansOf(traceId: string, until: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 100; i++) {
    const spans = receiver.spans.filter((span) => span.traceId === traceId)
    if (until(spans)) return spans
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return receiver.spans.filter((span) => span.traceId === traceId)
}

const PASSWORD = 'never-in-a-log-line'
const SERVER_SPAN = 2
let orderId: number
let lastTraceId: string | null = null
let orderTraceId: string | null = null
let menuId: number

beforeAll(async () => {
  receiver = await startOtlpReceiver()
  await start('user')
  const restaurantDb = await start('restaurant')
  await start('order', {
    USER_SERVICE_URL: (services.user as ChildService).baseUrl,
    RESTAURANT_SERVICE_URL: (services.restaurant as ChildService).baseUrl,
    RECOVERY_ENABLED: 'false',
  })
  const db = new pg.Client({ connectionString: restaurantDb.url })
  await db.connect()
  await db.query(`INSERT INTO restaurants (name, category, address) VALUES ('Traced', 'korean', 'Seoul')`)
  const { rows } = await db.query(
    `INSERT INTO menus (restaurant_id, name, price, stock) VALUES (1, 'x', 1000, 10) RETURNING id`,
  )
  await db.end()
  menuId = rows[0].id
}, 120_000)

afterAll(async () => {
  await Promise.all(Object.values(services).map((service) => service.stop()))
  await Promise.all(databases.map((database) => database.drop()))
  await receiver.close()
})

describe('one order, one trace', () => {
  let spans: ReceivedSpan[]

  beforeAll(async () => {
    const user = (services.user as ChildService).baseUrl
    await post(`${user}/signup`, { username: 'traced', password: PASSWORD })
    const { body: login } = await post(`${user}/login`, { username: 'traced', password: PASSWORD })
    // A small injected delay on the user service, to see chaos on the trace.
    await post(`${user}/chaos/delay`, { delay_ms: 20 })
    const placed = await post(
      `${(services.order as ChildService).baseUrl}/orders`,
      { items: [{ menu_id: menuId, quantity: 2 }], address: 'Seoul', phone: '010-1234-5678' },
      { authorization: `Bearer ${login.access_token}` },
    )
    expect(placed.status).toBe(201)
    orderId = placed.body.id
    orderTraceId = lastTraceId
    const reserve = await waitForSpan('order.reserve_stock')
    // Each service exports on its own schedule: wait until the three servers' spans are in.
    spans = await spansOf(reserve.traceId, (found) =>
      ['POST /orders', 'POST /validate', 'PUT /inventory/:menuId'].every((name) =>
        found.some((span) => span.name === name),
      ),
    )
  }, 60_000)

  it('names the trace in the X-Trace-Id response header', () => {
    expect(orderTraceId).toBe(spans[0]?.traceId)
  })

  it('opens one server span per request, named by route template, with its status code', () => {
    const servers = spans.filter((span) => span.kind === SERVER_SPAN)
    expect(servers.map((span) => `${span.service} ${span.name}`).sort()).toEqual([
      'order-service POST /orders',
      'restaurant-service GET /menus/:id',
      'restaurant-service PUT /inventory/:menuId',
      'user-service POST /validate',
    ])
    expect(servers.find((span) => span.name === 'POST /orders')?.attributes['http.response.status_code']).toBe(201)
  })

  it('holds spans of all three services, under the food-delivery namespace', () => {
    expect(new Set(spans.map((span) => span.service))).toEqual(
      new Set(['order-service', 'user-service', 'restaurant-service']),
    )
    expect(spans.every((span) => span.namespace === 'food-delivery')).toBe(true)
  })

  it('has the saga steps as children of the order request, with the order id', () => {
    const byId = new Map(spans.map((span) => [span.spanId, span]))
    const request = spans.find((span) => span.service === 'order-service' && span.name === 'POST /orders')
    expect(request).toBeDefined()
    const ancestors = (span: ReceivedSpan): string[] => {
      const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined
      return parent ? [parent.spanId, ...ancestors(parent)] : []
    }
    for (const step of ['order.validate_user', 'order.price', 'order.store', 'order.reserve_stock', 'order.payment']) {
      const span = spans.find((each) => each.name === step)
      expect(span, step).toBeDefined()
      expect(ancestors(span as ReceivedSpan)).toContain(request?.spanId)
    }
    expect(spans.find((span) => span.name === 'order.reserve_stock')?.attributes['order.id']).toBe(orderId)
  })

  it('links the user and restaurant request spans to the order service’s calls (W3C context)', () => {
    const byId = new Map(spans.map((span) => [span.spanId, span]))
    const validate = spans.find((span) => span.service === 'user-service' && span.name === 'POST /validate')
    const inventory = spans.find(
      (span) => span.service === 'restaurant-service' && span.name === 'PUT /inventory/:menuId',
    )
    for (const server of [validate, inventory]) {
      expect(server).toBeDefined()
      const caller = byId.get(server?.parentSpanId ?? '')
      expect(caller?.service).toBe('order-service')
    }
  })

  it('reaches PostgreSQL and Redis spans in the services', () => {
    expect(spans.some((span) => span.service === 'restaurant-service' && span.scope.includes('pg'))).toBe(true)
    expect(spans.some((span) => span.service === 'order-service' && span.scope.includes('pg'))).toBe(true)
    expect(spans.some((span) => span.scope.includes('ioredis'))).toBe(true)
  })

  it('marks the injected chaos delay as a span event', () => {
    const events = spans.filter((span) => span.service === 'user-service').flatMap((span) => span.events)
    expect(events).toContainEqual({ name: 'chaos.injected', attributes: { 'chaos.fault': 'delay', 'chaos.value': 20 } })
  })

  it('marks the latency bucket the order request fell in with an exemplar naming its trace', async () => {
    const text = await (await fetch(`${(services.order as ChildService).baseUrl}/metrics`)).text()
    const buckets = text
      .split('\n')
      .filter(
        (line) => line.startsWith('http_server_request_duration_seconds_bucket{') && line.includes('route="/orders"'),
      )
    const withExemplar = buckets.filter((line) => line.includes(' # {'))
    expect(withExemplar).toEqual([expect.stringContaining(`# {trace_id="${orderTraceId}"} `)])
  })

  it('writes log lines with the same trace id, and never the password', () => {
    const traceId = spans[0]?.traceId
    const orderLines = (services.order as ChildService).lines.map((line) => JSON.parse(line))
    expect(orderLines.some((line) => line.trace_id === traceId && line.msg === 'request completed')).toBe(true)
    const allLines = Object.values(services).flatMap((service) => service.lines)
    expect(allLines.length).toBeGreaterThan(5)
    expect(allLines.join('\n')).not.toContain(PASSWORD)
  })
})
