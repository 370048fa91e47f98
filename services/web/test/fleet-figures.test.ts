/**
 * GET /api/charts and GET /api/service-map against the fleet as npm start runs it (web-fleet.ts:
 * the services as processes tracing into a trace store of the test's own, their edges through a
 * fault proxy), read from a real Prometheus (Debian's) scraping the services, and from the web
 * server's own scrapes when Prometheus does not answer: the request rate, 5xx and p95 per route,
 * the faults and a firing alert as bands, exemplars naming traces the store kept, each edge's
 * figures with where they come from, a fault and a down edge marked, a service that does not answer.
 */
import { freePort } from '@food/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWebApp } from '../src/app.ts'
import type { ChartsAnswer } from '../src/charts-wire.ts'
import { loadWebConfig } from '../src/config.ts'
import { chooseSource } from '../src/metrics-source.ts'
import { PrometheusClient } from '../src/prometheus.ts'
import type { ServiceMapView } from '../src/service-map-wire.ts'
import { startPrometheus } from './prometheus.ts'
import { startTracedWebFleet, type TracedWebFleet } from './web-fleet.ts'

// An alert that fires at once, as a burning SLO's would: its window is a band on the charts.
const RULES = `groups:
  - name: web-figures-test
    rules:
      - alert: LabOrdersBurn
        expr: label_replace(vector(1), "service", "order", "", "")
        labels: { severity: page }
        annotations: { summary: "orders burn the budget" }
`

let fleet: TracedWebFleet
let prometheus: Awaited<ReturnType<typeof startPrometheus>>
/** The web server of the fleet reading Prometheus (inject only: it scrapes nothing itself). */
let withPrometheus: FastifyInstance
const struck: string[] = []
const placed: string[] = []

const json = async <T>(app: FastifyInstance, url: string): Promise<T> =>
  (await app.inject({ method: 'GET', url })).json() as T
const fromFleet = async <T>(url: string): Promise<T> => (await (await fetch(`${fleet.url}${url}`)).json()) as T

/** Polls `read` until `check` holds of its answer (the scrapes and the store need a moment), or fails with the last answer. */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms
  let value = await read()
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`not so after ${ms} ms: ${JSON.stringify(value).slice(0, 2000)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
    value = await read()
  }
  return value
}

async function order(headers: Record<string, string>, menuId: number) {
  const response = await fetch(`${fleet.services.order.baseUrl}/orders`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ menu_id: menuId, quantity: 1 }], address: 'Seoul', phone: '010-1234-5678' }),
  })
  expect(response.status).toBe(201)
  return response.headers.get('x-trace-id') ?? ''
}

beforeAll(async () => {
  fleet = await startTracedWebFleet({ webEnv: { SCRAPE_INTERVAL_MS: '500' } })
  prometheus = await startPrometheus(
    RULES,
    (['user', 'restaurant', 'order'] as const).map((service) => ({
      job: `${service}-service`,
      target: new URL(fleet.services[service].baseUrl).host,
    })),
  )
  withPrometheus = await buildWebApp(
    loadWebConfig({
      USER_SERVICE_URL: fleet.services.user.baseUrl,
      RESTAURANT_SERVICE_URL: fleet.services.restaurant.baseUrl,
      ORDER_SERVICE_URL: fleet.services.order.baseUrl,
      PROMETHEUS_URL: prometheus.url,
      TRACE_STORE_URL: fleet.store.apiUrl,
      LOG_LEVEL: 'silent',
    }),
    '/nonexistent',
  )
  const headers = await fleet.login()
  // Prometheus counts a series' increase from its first scrape: a first order, scraped, before the others.
  const scraped = async (query: string) => {
    const answer = await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`)).json()
    return (answer as { data: { result: unknown[] } }).data.result.length > 0
  }
  placed.push(await order(headers, 2))
  await until(() => scraped('http_server_request_duration_seconds_count{route="/orders"}'), Boolean)
  await until(() => scraped('http_client_request_duration_seconds_count{target="restaurant"}'), Boolean)
  // Two orders the payment fault strikes, then three healthy ones; reads between.
  expect((await fleet.call('order', 'POST', '/chaos/payment_fail', { fail_percent: 100, ttl_s: 3 })).status).toBe(200)
  for (let i = 0; i < 2; i++) struck.push(await order(headers, 1))
  await new Promise((resolve) => setTimeout(resolve, 3500))
  for (let i = 0; i < 3; i++) {
    placed.push(await order(headers, 2))
    await fetch(`${fleet.services.restaurant.baseUrl}/menus/${i + 1}`)
  }
}, 180_000)
afterAll(async () => {
  await withPrometheus?.close()
  await prometheus?.stop()
  await fleet?.close()
})

const ordersOf = (answer: ChartsAnswer) => answer.series.find((s) => s.service === 'order' && s.route === '/orders')

describe('GET /api/charts', () => {
  it('reads Prometheus when it scrapes the fleet: rate, 5xx and p95 per route, the fault and the alert as bands, exemplars', async () => {
    const answer = await until(
      () => json<ChartsAnswer>(withPrometheus, '/api/charts'),
      (charts) =>
        charts.source === 'prometheus' &&
        (ordersOf(charts)?.p95_ms.some((value) => value !== null) ?? false) &&
        charts.exemplars.some((exemplar) => exemplar.route === '/orders' && exemplar.kept === true) &&
        charts.bands.some((band) => band.kind === 'fault'),
    )
    expect(answer.prometheus).toEqual({ url: prometheus.url, reachable: true })
    expect(answer.step_s).toBe(15)
    expect(answer.times).toHaveLength(61)
    expect(answer.to - answer.from).toBe(900)
    const orders = ordersOf(answer)
    expect(Math.max(...(orders?.rate.map((value) => value ?? 0) ?? []))).toBeGreaterThan(0)
    expect(orders?.errors.filter((value) => value !== null).every((value) => value === 0)).toBe(true)
    // The lab's own routes are left out: probes, scrapes, the chaos plane.
    expect(answer.series.map((s) => s.route)).not.toContain('/chaos/payment_fail')
    expect(answer.series.map((s) => s.route)).not.toContain('/metrics')
    expect(answer.bands).toContainEqual(
      expect.objectContaining({ kind: 'fault', service: 'order', name: 'payment_fail', detail: '100' }),
    )
    expect(answer.bands).toContainEqual(
      expect.objectContaining({ kind: 'alert', service: 'order', name: 'LabOrdersBurn', detail: 'page', to: null }),
    )
    const exemplar = answer.exemplars.find((each) => each.route === '/orders' && each.kept === true)
    expect([...struck, ...placed]).toContain(exemplar?.trace_id)
    expect(exemplar).toMatchObject({ service: 'order', method: 'POST', status_code: '201' })
    expect(exemplar?.duration_ms).toBeGreaterThan(0)
    // One a minute a route: the slowest.
    const orderExemplars = answer.exemplars.filter((each) => each.route === '/orders')
    expect(new Set(orderExemplars.map((each) => Math.floor(each.at / 60_000))).size).toBe(orderExemplars.length)
  })

  it('reads the web server’s own scrapes when Prometheus does not answer: the same series, the faults the watch saw', async () => {
    const answer = await until(
      () => fromFleet<ChartsAnswer>('/api/charts?minutes=5'),
      (charts) => charts.source === 'scrapes' && charts.exemplars.some((exemplar) => exemplar.kept === true),
    )
    expect(answer.prometheus.reachable).toBe(false)
    expect(answer.prometheus.error).toBe('ECONNREFUSED')
    expect(answer.step_s).toBe(5)
    expect(answer.to - answer.from).toBe(300)
    const orders = ordersOf(answer)
    expect(Math.max(...(orders?.rate.map((value) => value ?? 0) ?? []))).toBeGreaterThan(0)
    expect(orders?.p95_ms.some((value) => value !== null && value > 0)).toBe(true)
    const routes = answer.series.filter((s) => s.service === 'restaurant').map((s) => s.route)
    expect(routes).toEqual(expect.arrayContaining(['/inventory/:menuId', '/menus/:id']))
    // Its exact window, from the switch's set_at to when the watch no longer saw it.
    const fault = answer.bands.find((band) => band.name === 'payment_fail')
    expect(fault).toMatchObject({ kind: 'fault', service: 'order', detail: '100' })
    expect((fault?.to ?? 0) - (fault?.from ?? 0)).toBeGreaterThanOrEqual(2500)
    expect((fault?.to ?? 0) - (fault?.from ?? 0)).toBeLessThan(5000)
    expect(answer.bands.filter((band) => band.kind === 'alert')).toEqual([])
    const exemplar = answer.exemplars.find((each) => each.kept === true && each.route === '/orders')
    expect([...struck, ...placed]).toContain(exemplar?.trace_id)
    const only = await fromFleet<ChartsAnswer>('/api/charts?service=restaurant')
    expect(new Set(only.series.map((s) => s.service))).toEqual(new Set(['restaurant']))
  })

  it('falls back on its scrapes when Prometheus answers without the fleet’s series', async () => {
    const empty = await startPrometheus(RULES)
    try {
      const chosen = await chooseSource(new PrometheusClient(empty.url), {
        samples: undefined as never,
        hasRates: false,
      })
      expect(chosen).toEqual({ source: undefined, prometheus: { url: empty.url, reachable: true } })
    } finally {
      await empty.stop()
    }
  })

  it('refuses a bad parameter with a 400 naming it', async () => {
    for (const [query, code, parameter] of [
      ['minutes=0', 'INVALID_PARAMETER', 'minutes'],
      ['minutes=16', 'INVALID_PARAMETER', 'minutes'],
      ['minutes=five', 'INVALID_PARAMETER', 'minutes'],
      ['service=payments', 'INVALID_PARAMETER', 'service'],
      ['range=15m', 'UNKNOWN_PARAMETER', 'range'],
    ] as const) {
      const response = await withPrometheus.inject({ method: 'GET', url: `/api/charts?${query}` })
      expect({ query, status: response.statusCode }).toEqual({ query, status: 400 })
      expect(response.json()).toMatchObject({ error: { code, details: { parameter } } })
    }
  })
})

const edgeOf = (view: ServiceMapView, id: string) => view.edges.find((edge) => edge.id === id)

describe('GET /api/service-map', () => {
  it('gives each edge its figures over the last minute: calls between services from Prometheus, PostgreSQL and Redis from the kept spans', async () => {
    const view = await until(
      () => json<ServiceMapView>(withPrometheus, '/api/service-map'),
      (map) =>
        map.metrics.source === 'prometheus' &&
        (edgeOf(map, 'order-restaurant')?.figures?.rate ?? 0) > 0 &&
        (edgeOf(map, 'order-postgres')?.figures?.rate ?? 0) > 0,
    )
    expect(view.window_s).toBe(60)
    expect(view.spans).toMatchObject({ store: fleet.store.apiUrl, reachable: true, share: 1 })
    expect(view.spans.traces).toBeGreaterThan(0)
    expect(view.edges.map((edge) => edge.id)).toEqual([
      'gateway-user',
      'gateway-restaurant',
      'gateway-order',
      'order-user',
      'order-restaurant',
      'user-postgres',
      'user-redis',
      'restaurant-postgres',
      'restaurant-redis',
      'order-postgres',
      'order-redis',
    ])
    expect(edgeOf(view, 'order-user')).toMatchObject({
      from: 'order',
      to: 'user',
      state: 'healthy',
      detail: 'healthy',
      figures: { source: 'prometheus', error_ratio: 0 },
    })
    expect(edgeOf(view, 'order-user')?.figures?.p95_ms).toBeGreaterThan(0)
    expect(edgeOf(view, 'restaurant-postgres')?.figures).toMatchObject({ source: 'spans', error_ratio: 0 })
    // The web server reaches the services straight here: no gateway edge on the fault proxy.
    expect(edgeOf(view, 'gateway-order')).toMatchObject({ state: 'direct', detail: 'no fault proxy' })
    const order = view.nodes.find((node) => node.id === 'order')
    expect(order).toMatchObject({ kind: 'service', up: true, faults: [], figures: { source: 'prometheus' } })
    expect(view.nodes.find((node) => node.id === 'postgres')).toMatchObject({ kind: 'database', up: true })
  })

  it('marks a fault and a down edge as the chaos planes show them, and a service’s faults on its node', async () => {
    const toxic = await fleet.call('order', 'POST', '/chaos/network/order-restaurant/toxics', {
      type: 'latency',
      attributes: { latency: 200 },
      ttl_s: 30,
    })
    expect(toxic.status).toBe(200)
    expect(
      (await fleet.call('restaurant', 'POST', '/chaos/network/restaurant-redis', { enabled: false, ttl_s: 30 })).status,
    ).toBe(200)
    expect((await fleet.call('user', 'POST', '/chaos/delay', { delay_ms: 50, ttl_s: 30 })).status).toBe(200)
    try {
      const view = await fromFleet<ServiceMapView>('/api/service-map')
      expect(edgeOf(view, 'order-restaurant')).toMatchObject({ state: 'fault', detail: 'latency 200 ms' })
      expect(edgeOf(view, 'restaurant-redis')).toMatchObject({ state: 'down', detail: 'down' })
      expect(view.nodes.find((node) => node.id === 'user')?.faults).toEqual([
        { name: 'delay', value: '50', expires_at: expect.any(String) },
      ])
      expect(view.metrics.source).toBe('scrapes')
      expect(edgeOf(view, 'order-user')?.figures?.source).toBe('scrapes')
    } finally {
      await fleet.call('order', 'DELETE', '/chaos/network/order-restaurant/toxics/latency_downstream')
      await fleet.call('restaurant', 'POST', '/chaos/network/restaurant-redis', { enabled: true })
      await fleet.call('user', 'DELETE', '/chaos')
    }
  })

  it('marks a service that does not answer down, and the edges to it', async () => {
    const lonely = await buildWebApp(
      loadWebConfig({
        USER_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
        RESTAURANT_SERVICE_URL: fleet.services.restaurant.baseUrl,
        ORDER_SERVICE_URL: fleet.services.order.baseUrl,
        PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}`,
        LOG_LEVEL: 'silent',
      }),
      '/nonexistent',
    )
    try {
      const view = await json<ServiceMapView>(lonely, '/api/service-map')
      expect(view.nodes.find((node) => node.id === 'user')).toMatchObject({
        up: false,
        reason: 'does not answer: ECONNREFUSED',
      })
      expect(edgeOf(view, 'gateway-user')).toMatchObject({ state: 'down', detail: 'user does not answer' })
      expect(edgeOf(view, 'order-user')).toMatchObject({ state: 'down', detail: 'user does not answer' })
      expect(edgeOf(view, 'user-postgres')).toMatchObject({ state: 'unknown', detail: 'user does not answer' })
      expect(view.spans).toMatchObject({ reachable: false, error: 'no trace store (TRACE_STORE_URL)', traces: 0 })
      expect(view.metrics.source).toBe('none')
    } finally {
      await lonely.close()
    }
  })
})
