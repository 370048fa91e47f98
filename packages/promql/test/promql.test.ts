import { describe, expect, it } from 'vitest'
import {
  evaluate,
  parseDuration,
  parseExposition,
  parseQuery,
  plainValue,
  QueryError,
  SampleStore,
} from '../src/index.ts'

const HISTOGRAM = 'http_server_request_duration_seconds'
const bucket = (labels: string, le: string, count: number) => `${HISTOGRAM}_bucket{${labels},le="${le}"} ${count}`

/** Three scrapes of the order service a second apart: orders and POST /orders latencies. */
function orderStore() {
  const store = new SampleStore()
  const post = 'service="order",method="POST",route="/orders",status_code="201"'
  const failed = 'service="order",method="POST",route="/orders",status_code="503"'
  store.add(
    'order',
    0,
    parseExposition(`# TYPE orders_total counter
orders_total{status="CONFIRMED",reason=""} 10
${bucket(post, '0.1', 10)}
${bucket(post, '0.5', 10)}
${bucket(post, '+Inf', 10)}`),
  )
  store.add(
    'order',
    1000,
    parseExposition(`orders_total{status="CONFIRMED",reason=""} 20
orders_total{status="FAILED",reason="payment_failed"} 4
${bucket(post, '0.1', 16)}
${bucket(post, '0.5', 20)}
${bucket(post, '+Inf', 20)}
${bucket(failed, '0.1', 0)}
${bucket(failed, '0.5', 1)}
${bucket(failed, '+Inf', 1)} # {trace_id="abc"} 0.3 1700000000.0`),
  )
  store.add(
    'order',
    2000,
    parseExposition(`orders_total{status="CONFIRMED",reason=""} 30
orders_total{status="FAILED",reason="payment_failed"} 6
${bucket(post, '0.1', 22)}
${bucket(post, '0.5', 30)}
${bucket(post, '+Inf', 30)}
${bucket(failed, '0.1', 0)}
${bucket(failed, '0.5', 2)}
${bucket(failed, '+Inf', 2)}`),
  )
  return store
}

describe('queries over scrapes', () => {
  it('rate() per series, sum by a label, the increase of a series born in the range counted from 0', () => {
    const store = orderStore()
    expect(plainValue(evaluate('sum by (status) (rate(orders_total[5s]))', store))).toEqual([
      { labels: { status: 'CONFIRMED' }, value: 10 },
      { labels: { status: 'FAILED' }, value: 3 },
    ])
    expect(plainValue(evaluate('sum(increase(orders_total{status="FAILED"}[5s]))', store))).toBe(6)
    // Only the newest two scrapes are in a 1 s range.
    expect(plainValue(evaluate('sum(rate(orders_total[1s]))', store))).toBe(12)
  })

  it('answers "p95 of POST /orders" and "5xx ratio" in one line each', () => {
    const store = orderStore()
    const p95 = plainValue(
      evaluate(
        `histogram_quantile(0.95, sum by (le) (rate(${HISTOGRAM}_bucket{method="POST",route="/orders"}[5s])))`,
        store,
      ),
    )
    // In the range: 22 requests (20 answered 201, 2 answered 503, born in the range), 12 under
    // 0.1 s, all under 0.5 s: the 20.9th is at 0.1 + 0.4 × (20.9 − 12) / 10.
    expect(p95).toBeCloseTo(0.1 + 0.4 * ((0.95 * 22 - 12) / 10), 6)
    const ratio = plainValue(
      evaluate(
        `sum(rate(${HISTOGRAM}_count{status_code=~"5.."}[5s]) or vector(0)) / sum(rate(${HISTOGRAM}_count[5s]))`,
        orderStore(),
      ),
    )
    // No _count series in these scrapes: the ratio has nothing to divide (null), not a made-up 0.
    expect(ratio).toBeNull()
    const fromBuckets = plainValue(
      evaluate(
        `sum(rate(${HISTOGRAM}_bucket{le="+Inf",status_code=~"5.."}[5s])) / sum(rate(${HISTOGRAM}_bucket{le="+Inf"}[5s]))`,
        store,
      ),
    )
    expect(fromBuckets).toBeCloseTo(2 / 22, 6)
  })

  it('takes a counter that went down as a restart from 0, and answers the newest value for an instant selector', () => {
    const store = new SampleStore()
    store.add('user', 0, parseExposition('requests_total 100'))
    store.add('user', 1000, parseExposition('requests_total 110'))
    store.add('user', 2000, parseExposition('requests_total 5'))
    expect(plainValue(evaluate('increase(requests_total[10s])', store))).toBe(15)
    expect(plainValue(evaluate('requests_total', store))).toBe(5)
    expect(plainValue(evaluate('requests_total * 2 + 1', store))).toBe(11)
    expect(plainValue(evaluate('-requests_total', store))).toBe(-5)
    expect(plainValue(evaluate('missing_total', store))).toBeNull()
    expect(plainValue(evaluate('missing_total or vector(0)', store))).toBe(0)
  })

  it('matches labels with =, !=, =~ and !~, across targets', () => {
    const store = new SampleStore()
    store.add('user', 0, parseExposition('up{service="user"} 1'))
    store.add('order', 0, parseExposition('up{service="order"} 0'))
    expect(plainValue(evaluate('sum(up)', store))).toBe(1)
    expect(plainValue(evaluate('up{service!="user"}', store))).toBe(0)
    expect(plainValue(evaluate('count(up{service=~"u.*|o.*"})', store))).toBe(2)
    expect(plainValue(evaluate('up{service!~"o.*"}', store))).toBe(1)
    expect(plainValue(evaluate('max without (service) (up)', store))).toBe(1)
    expect(plainValue(evaluate('avg(up)', store))).toBe(0.5)
    expect(plainValue(evaluate('min(up)', store))).toBe(0)
  })

  it('a quantile with no observation is no value (NaN in Prometheus), which `>= 0 or vector(0)` turns into 0', () => {
    const store = new SampleStore()
    store.add('order', 0, parseExposition(`${bucket('route="/x"', '0.1', 3)}\n${bucket('route="/x"', '+Inf', 3)}`))
    store.add('order', 1000, parseExposition(`${bucket('route="/x"', '0.1', 3)}\n${bucket('route="/x"', '+Inf', 3)}`))
    const p50 = `histogram_quantile(0.5, rate(${HISTOGRAM}_bucket[5s]))`
    expect(plainValue(evaluate(p50, store))).toBeNull()
    // `or` alone keeps the NaN series (its labels are not vector(0)'s), as Prometheus does.
    expect(evaluate(`${p50} or vector(0)`, store)).toEqual({
      kind: 'vector',
      series: [
        { labels: { route: '/x' }, value: Number.NaN },
        { labels: {}, value: 0 },
      ],
    })
    expect(plainValue(evaluate(`${p50} >= 0 or vector(0)`, store))).toBe(0)
  })

  it('compares as a filter: the series for which it holds, against a number or the matching series', () => {
    const store = new SampleStore()
    store.add(
      'user',
      0,
      parseExposition(
        'lag{service="user"} 0.2\nlag{service="order"} 0.9\nlimit{service="user"} 0.5\nlimit{service="order"} 0.5',
      ),
    )
    expect(plainValue(evaluate('lag > 0.5', store))).toBe(0.9)
    expect(plainValue(evaluate('lag <= 0.2', store))).toBe(0.2)
    expect(plainValue(evaluate('lag == 1', store))).toBeNull()
    expect(plainValue(evaluate('count(lag != 0.2)', store))).toBe(1)
    expect(plainValue(evaluate('lag < limit', store))).toBe(0.2)
    expect(plainValue(evaluate('lag * 2 >= 1.8', store))).toBeCloseTo(1.8)
    expect(() => evaluate('1 > 0', store)).toThrow('a comparison (>) takes a vector on its left')
  })
})

describe('what the parser refuses, saying where', () => {
  it.each([
    ['rate(orders_total)', /rate\(\) at 1 takes one range selector/],
    ['orders_total[5s]', /is a range: wrap it in rate\(\)/],
    ['sum(rate(x[5q]))', /"5q" is not a duration/],
    ['topk(3, x)', /"topk" at 1 is not a function/],
    ['sum(x', /expected "\)" at the end/],
    ['x{a=b}', /expected a quoted label value at 5/],
    ['histogram_quantile(x, y)', /takes a quantile and a vector/],
    ['x )', /unexpected "\)" at 3/],
  ])('%s', (query, message) => {
    expect(() => evaluate(query, new SampleStore())).toThrow(QueryError)
    expect(() => evaluate(query, new SampleStore())).toThrow(message)
  })

  it('reads durations as Prometheus writes them', () => {
    expect(parseDuration('30s')).toBe(30_000)
    expect(parseDuration('1m30s')).toBe(90_000)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseQuery('rate(x[2m])')).toEqual({
      type: 'call',
      fn: 'rate',
      args: [{ type: 'selector', name: 'x', matchers: [], rangeMs: 120_000 }],
    })
  })
})

describe("Prometheus' text format", () => {
  it('reads names, labels and values, leaving comments and exemplars out, unescaping label values', () => {
    const samples = parseExposition(`# HELP orders_total Orders
# TYPE orders_total counter
orders_total{service="order",status="CONFIRMED",reason=""} 10
h_bucket{le="0.05"} 4 # {trace_id="abc"} 0.01 1700000000.0
m{path="a\\"b\\\\c"} 1
# EOF`)
    expect(samples).toEqual([
      { name: 'orders_total', labels: { service: 'order', status: 'CONFIRMED', reason: '' }, value: 10 },
      { name: 'h_bucket', labels: { le: '0.05' }, value: 4 },
      { name: 'm', labels: { path: 'a"b\\c' }, value: 1 },
    ])
  })
})
