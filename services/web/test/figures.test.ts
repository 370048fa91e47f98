/**
 * The pure parts behind the Traces, Service map and Charts pages: the search the page sends to the
 * store, the weighting of kept traces, the watch's scrapes, fault windows and exemplars, the bands
 * and the chart times. (The routes themselves: trace-routes.test.ts, fleet-figures.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import { hashOf, searchOf, tempoQuery } from '../app/traces.ts'
import { mergeBands, slowestPerSlice, windowsOf } from '../src/charts.ts'
import { exemplarsIn, FleetWatch, keptSamples, unsampledTraceparent } from '../src/fleet-watch.ts'
import { chartTimes } from '../src/metrics-source.ts'
import type { ResourceSpans } from '../src/otlp.ts'
import { callsInSpans, figuresOf, keptShare, weightedQuantile } from '../src/service-map.ts'

describe('the Traces page’s search', () => {
  it('says a search as Tempo’s parameters: tags in logfmt, durations, the time range, a limit', () => {
    const search = searchOf(
      new URLSearchParams('service=order&route=/orders&status=error&min=100&max=2000&since=15&chaos=1'),
    )
    const query = tempoQuery(search, 1_700_000_000_000)
    expect(Object.fromEntries(query)).toEqual({
      tags: 'service.name=order-service http.route=/orders status=error chaos.injected=true',
      minDuration: '100ms',
      maxDuration: '2000ms',
      start: String(1_700_000_000 - 15 * 60),
      end: '1700000000',
      limit: '50',
    })
    // A value with a space is quoted; an order id is searched among more traces, every one it may be.
    const order = tempoQuery(searchOf(new URLSearchParams('route=POST x&order=42&since=')), 0)
    expect(Object.fromEntries(order)).toEqual({ tags: 'http.route="POST x" order.id=42', limit: '200' })
  })

  it('keeps a search in the page’s address, only what was chosen', () => {
    expect(hashOf(searchOf(new URLSearchParams()))).toBe('#/traces')
    expect(hashOf({ ...searchOf(new URLSearchParams()), service: 'order', chaos: true })).toBe(
      '#/traces?service=order&chaos=1',
    )
    expect(hashOf({ ...searchOf(new URLSearchParams()), since: '' })).toBe('#/traces?since=')
    expect(searchOf(new URLSearchParams('since=')).since).toBe('')
  })
})

const span = (fields: Record<string, unknown>) => ({
  traceId: 'a'.repeat(32),
  spanId: fields.spanId as string,
  name: 'x',
  kind: 1,
  startTimeUnixNano: String(BigInt(fields.at as number) * 1_000_000n),
  endTimeUnixNano: String(BigInt((fields.at as number) + (fields.ms as number)) * 1_000_000n),
  attributes: (fields.attributes as never) ?? [],
  status: fields.error ? { code: 2 } : {},
  ...fields,
})
const resource = (service: string, spans: unknown[]): ResourceSpans =>
  ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: `${service}-service` } }] },
    scopeSpans: [{ scope: { name: 't' }, spans }],
  }) as ResourceSpans

describe('the service map’s figures from kept traces', () => {
  it('weights a trace kept by the share by 1/share, one kept for an error or a fault by 1', () => {
    const at = 1_000_000
    const trace = (keptBecause: string, error: boolean) => ({
      keptBecause,
      resourceSpans: [
        resource('order', [
          span({
            spanId: '1',
            kind: 2,
            at,
            ms: 50,
            attributes: [{ key: 'http.response.status_code', value: { intValue: error ? '503' : '201' } }],
          }),
          span({
            spanId: '2',
            parentSpanId: '1',
            kind: 3,
            at: at + 1,
            ms: 10,
            attributes: [{ key: 'db.system.name', value: { stringValue: 'postgresql' } }],
            error,
          }),
          span({ spanId: '3', parentSpanId: '1', kind: 3, at: at + 2, ms: 20 }),
        ]),
        resource('user', [span({ spanId: '4', parentSpanId: '3', kind: 2, at: at + 3, ms: 15 })]),
      ],
    })
    // Nine healthy traces in ten dropped: each kept one stands for ten; the failed one for itself.
    const seen = callsInSpans(
      [trace('share', false), trace('share', false), trace('error', true)],
      0.1,
      at,
      at + 60_000,
    )
    const postgres = figuresOf(seen.edges.get('order-postgres') ?? [], 60)
    expect(postgres).toEqual({ rate: 21 / 60, error_ratio: 1 / 21, p95_ms: 10, source: 'spans' })
    expect(figuresOf(seen.edges.get('order-user') ?? [], 60)?.rate).toBeCloseTo(21 / 60)
    expect(figuresOf(seen.served.get('order') ?? [], 60)?.error_ratio).toBeCloseTo(1 / 21)
    // The order service's requests came from outside (no client span of the trace made them).
    expect(seen.edges.get('gateway-order')).toHaveLength(3)
    expect(seen.edges.get('gateway-user')).toBeUndefined()
    // Outside the window: not counted.
    expect(callsInSpans([trace('share', false)], 1, at + 1, at + 60_000).edges.get('gateway-order')).toBeUndefined()
  })

  it('reads the share the store keeps from its decisions, and a weighted p95', () => {
    const metrics = [
      'trace_store_decisions_total{decision="kept",reason="share"} 10',
      'trace_store_decisions_total{decision="kept",reason="error"} 4',
      'trace_store_decisions_total{decision="dropped",reason="none"} 90',
    ].join('\n')
    expect(keptShare(metrics)).toBe(0.1)
    expect(keptShare('')).toBe(1)
    expect(weightedQuantile([], 0.95)).toBeNull()
    expect(
      weightedQuantile(
        [
          { value: 5, weight: 19 },
          { value: 900, weight: 1 },
        ],
        0.95,
      ),
    ).toBe(5)
    expect(
      weightedQuantile(
        [
          { value: 5, weight: 18 },
          { value: 900, weight: 2 },
        ],
        0.95,
      ),
    ).toBe(900)
  })
})

const SCRAPE = `# TYPE http_server_request_duration_seconds histogram
http_server_request_duration_seconds_bucket{le="0.1",service="order",method="POST",route="/orders",status_code="201"} 3 # {trace_id="${'b'.repeat(32)}"} 0.05 1700000000.5
http_server_request_duration_seconds_bucket{le="+Inf",service="order",method="POST",route="/orders",status_code="201"} 4 # {trace_id="${'c'.repeat(32)}"} 0.75 1700000001.25
http_server_request_duration_seconds_bucket{le="0.1",service="order",method="POST",route="/orders",status_code="503"} 1
http_server_request_duration_seconds_bucket{le="+Inf",service="order",method="POST",route="/orders",status_code="503"} 1
http_server_request_duration_seconds_count{service="order",method="POST",route="/orders",status_code="201"} 4
http_server_request_duration_seconds_count{service="order",method="POST",route="/orders",status_code="503"} 1
http_server_request_duration_seconds_count{service="order",method="GET",route="/metrics",status_code="200"} 9
http_server_request_duration_seconds_bucket{le="+Inf",service="order",method="GET",route="/health/ready",status_code="200"} 2 # {trace_id="${'d'.repeat(32)}"} 0.01 1700000001
http_client_request_duration_seconds_bucket{le="+Inf",service="order",target="user",method="POST",status_code="200"} 4
http_client_request_duration_seconds_count{service="order",target="user",method="POST",status_code="200"} 4
process_cpu_seconds_total{service="order"} 1.5
`

describe('the web server’s watch of the fleet', () => {
  it('keeps the request and call series of a scrape, buckets summed per route, the lab’s routes left out', async () => {
    const { parseExposition } = await import('@food/promql')
    const kept = keptSamples(parseExposition(SCRAPE), (labels) => labels)
    expect(kept.map((sample) => `${sample.name}${JSON.stringify(sample.labels)} ${sample.value}`)).toEqual([
      'http_server_request_duration_seconds_count{"service":"order","method":"POST","route":"/orders","status_code":"201"} 4',
      'http_server_request_duration_seconds_count{"service":"order","method":"POST","route":"/orders","status_code":"503"} 1',
      'http_client_request_duration_seconds_count{"service":"order","target":"user","method":"POST","status_code":"200"} 4',
      'http_server_request_duration_seconds_bucket{"service":"order","route":"/orders","le":"0.1"} 4',
      'http_server_request_duration_seconds_bucket{"service":"order","route":"/orders","le":"+Inf"} 5',
      'http_client_request_duration_seconds_bucket{"service":"order","target":"user","le":"+Inf"} 4',
    ])
  })

  it('reads the exemplars of the request histogram: trace, duration, when', () => {
    expect(exemplarsIn(SCRAPE, 0)).toEqual([
      {
        service: 'order',
        route: '/orders',
        method: 'POST',
        status_code: '201',
        trace_id: 'b'.repeat(32),
        value: 0.05,
        at: 1_700_000_000_500,
      },
      {
        service: 'order',
        route: '/orders',
        method: 'POST',
        status_code: '201',
        trace_id: 'c'.repeat(32),
        value: 0.75,
        at: 1_700_000_001_250,
      },
    ])
  })

  it('opens a fault’s window when GET /chaos shows it, keeps it open, closes it when gone (at its expiry if sooner)', () => {
    const watch = new FleetWatch({ user: '', restaurant: '', order: '' }, 0)
    const t = 1_700_000_000_000
    const iso = (ms: number) => new Date(ms).toISOString()
    const toxic = {
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 300 },
    }
    watch.record(
      'order',
      {
        faults: { payment_fail: { value: 100, set_at: iso(t - 2000), expires_at: iso(t + 3000) } },
        network: { edges: { 'order-restaurant': { enabled: true, toxics: [toxic] } } },
      },
      t,
    )
    watch.record(
      'order',
      {
        faults: { payment_fail: { value: 100, set_at: iso(t - 2000), expires_at: iso(t + 3000) } },
        network: { edges: { 'order-restaurant': { enabled: false, toxics: [] } } },
      },
      t + 1000,
    )
    watch.record(
      'order',
      { faults: {}, network: { edges: { 'order-restaurant': { enabled: true, toxics: [] } } } },
      t + 9000,
    )
    expect(watch.windows(t - 60_000, t + 60_000)).toEqual([
      { service: 'order', kind: 'network', name: 'order-restaurant', detail: 'latency 300 ms', from: t, to: t + 1000 },
      { service: 'order', kind: 'switch', name: 'payment_fail', detail: '100', from: t - 2000, to: t + 3000 },
      { service: 'order', kind: 'network', name: 'order-restaurant', detail: 'down', from: t + 1000, to: t + 9000 },
    ])
    // Another service's GET /chaos closes none of the order service's windows.
    watch.record('user', { faults: { delay: { value: 50, set_at: iso(t), expires_at: null } } }, t + 10_000)
    expect(watch.windows(t + 9500, t + 20_000)).toEqual([
      { service: 'user', kind: 'switch', name: 'delay', detail: '50', from: t, to: null },
    ])
  })

  it('asks the services for their GET /chaos without a sampled trace', () => {
    expect(unsampledTraceparent()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/)
  })
})

describe('the charts’ bands, points and times', () => {
  it('makes windows of a range query’s runs of points, merges a fault’s windows from two sources', () => {
    const series = {
      labels: {},
      values: [
        [100, 1],
        [115, 100],
        [130, 100],
        [190, 5],
      ] as [number, number][],
    }
    expect(windowsOf(series, 15)).toEqual([
      { from: 100_000, to: 130_000, max: 100 },
      { from: 190_000, to: 190_000, max: 5 },
    ])
    const merged = mergeBands([
      { kind: 'fault', service: 'order', name: 'payment_fail', detail: '100', from: 1000, to: 5000 },
      { kind: 'fault', service: 'order', name: 'payment_fail', detail: '100', from: 4000, to: 6000 },
      { kind: 'network', service: 'order', name: 'order-user', detail: 'down', from: 2000, to: 3000 },
      { kind: 'fault', service: 'order', name: 'payment_fail', detail: '30', from: 9000, to: null },
      { kind: 'fault', service: 'order', name: 'payment_fail', detail: '', from: 9000, to: 9500 },
    ])
    expect(merged).toEqual([
      { kind: 'fault', service: 'order', name: 'payment_fail', detail: '100', from: 1000, to: 6000 },
      { kind: 'network', service: 'order', name: 'order-user', detail: 'down', from: 2000, to: 3000 },
      { kind: 'fault', service: 'order', name: 'payment_fail', detail: '30', from: 9000, to: null },
    ])
  })

  it('shows the slowest exemplar of each route and minute', () => {
    const exemplar = (route: string, at: number, value: number) => ({
      service: 'order',
      route,
      method: 'POST',
      status_code: '201',
      trace_id: 'a'.repeat(32),
      value,
      at,
    })
    const shown = slowestPerSlice([
      exemplar('/orders', 60_000, 0.1),
      exemplar('/orders', 61_000, 0.9),
      exemplar('/orders', 125_000, 0.2),
      exemplar('/orders/:id', 61_000, 0.05),
    ])
    expect(shown.map((each) => `${each.route} ${each.at} ${each.value}`)).toEqual([
      '/orders 61000 0.9',
      '/orders/:id 61000 0.05',
      '/orders 125000 0.2',
    ])
  })

  it('puts a point on each multiple of the step, and one now', () => {
    expect(chartTimes(1000, 60, 15)).toEqual([945, 960, 975, 990, 1000])
    expect(chartTimes(990, 60, 15)).toEqual([930, 945, 960, 975, 990])
  })
})
