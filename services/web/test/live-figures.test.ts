import { describe, expect, it } from 'vitest'
import {
  checkStock,
  parseMetrics,
  quantileBetween,
  ratePerSecond,
  stockCaption,
  watchedMenus,
} from '../app/live-figures.ts'

const SCRAPE_1 = `# HELP orders_total Orders by final status
# TYPE orders_total counter
orders_total{service="order",status="CONFIRMED",reason=""} 10
orders_total{service="order",status="FAILED",reason="payment_failed"} 2
http_server_request_duration_seconds_bucket{service="order",method="POST",route="/orders",status_code="201",le="0.05"} 4 # {trace_id="abc"} 0.01 1700000000.0
http_server_request_duration_seconds_bucket{service="order",method="POST",route="/orders",status_code="201",le="0.1"} 10
http_server_request_duration_seconds_bucket{service="order",method="POST",route="/orders",status_code="201",le="+Inf"} 12
http_server_request_duration_seconds_bucket{service="order",method="GET",route="/orders/:id",status_code="200",le="+Inf"} 99
# EOF`

const SCRAPE_2 = `orders_total{service="order",status="CONFIRMED",reason=""} 30
orders_total{service="order",status="FAILED",reason="payment_failed"} 6
orders_total{service="order",status="FAILED",reason="out_of_stock"} 1
http_server_request_duration_seconds_bucket{service="order",method="POST",route="/orders",status_code="201",le="0.05"} 4
http_server_request_duration_seconds_bucket{service="order",method="POST",route="/orders",status_code="201",le="0.1"} 20
http_server_request_duration_seconds_bucket{service="order",method="POST",route="/orders",status_code="201",le="+Inf"} 22
http_server_request_duration_seconds_bucket{service="order",method="POST",route="/orders",status_code="409",le="0.05"} 0
http_server_request_duration_seconds_bucket{service="order",method="POST",route="/orders",status_code="409",le="0.1"} 0
http_server_request_duration_seconds_bucket{service="order",method="POST",route="/orders",status_code="409",le="+Inf"} 0`

describe('parseMetrics', () => {
  it('reads names, labels and values, leaving comments and exemplars out', () => {
    const samples = parseMetrics(SCRAPE_1)
    expect(samples).toHaveLength(6)
    expect(samples[0]).toEqual({
      name: 'orders_total',
      labels: { service: 'order', status: 'CONFIRMED', reason: '' },
      value: 10,
    })
    expect(samples[2]?.value).toBe(4)
  })

  it('unescapes label values', () => {
    expect(parseMetrics('m{path="a\\"b\\\\c"} 1')[0]?.labels.path).toBe('a"b\\c')
  })
})

describe('ratePerSecond', () => {
  it('gives the increase per second by the chosen labels, a new series counting from zero', () => {
    const rates = ratePerSecond(parseMetrics(SCRAPE_1), parseMetrics(SCRAPE_2), 'orders_total', ['status', 'reason'], 2)
    expect(Object.fromEntries(rates)).toEqual({
      'CONFIRMED\u0000': 10,
      'FAILED\u0000payment_failed': 2,
      'FAILED\u0000out_of_stock': 0.5,
    })
  })

  it('takes a counter that went down as reset by a restart', () => {
    const rates = ratePerSecond(parseMetrics('c 50'), parseMetrics('c 4'), 'c', [], 1)
    expect([...rates.values()]).toEqual([4])
  })
})

describe('quantileBetween', () => {
  const where = { method: 'POST', route: '/orders' }

  it('interpolates within the bucket holding the rank, over the window only, across status codes', () => {
    // Between the scrapes: 0 under 50 ms, 10 in (50, 100] ms, 0 above.
    const p95 = quantileBetween(
      0.95,
      parseMetrics(SCRAPE_1),
      parseMetrics(SCRAPE_2),
      'http_server_request_duration_seconds',
      where,
    )
    expect(p95).toBeCloseTo(0.05 + 0.05 * 0.95, 6)
  })

  it('is undefined when nothing was observed in the window', () => {
    const scrape = parseMetrics(SCRAPE_2)
    expect(quantileBetween(0.95, scrape, scrape, 'http_server_request_duration_seconds', where)).toBeUndefined()
  })

  it('answers the last finite bound for a rank in the +Inf bucket', () => {
    const after = parseMetrics(`h_bucket{le="0.1"} 1\nh_bucket{le="+Inf"} 10`)
    expect(quantileBetween(0.99, [], after, 'h', {})).toBe(0.1)
  })
})

describe('checkStock', () => {
  it('holds while units only move between stock and orders, and fails when they appear or vanish', () => {
    const baselines = new Map<number, number>()
    expect(checkStock([{ menuId: 1, stock: 100, reserved: 0 }], baselines)[0]).toMatchObject({
      total: 100,
      holds: true,
    })
    expect(checkStock([{ menuId: 1, stock: 97, reserved: 3 }], baselines)[0]).toMatchObject({ holds: true })
    expect(checkStock([{ menuId: 1, stock: 98, reserved: 3 }], baselines)[0]).toMatchObject({
      total: 101,
      baseline: 100,
      holds: false,
    })
    expect(checkStock([{ menuId: 2, stock: -1, reserved: 1 }], baselines)[0]?.holds).toBe(false)
  })
})

describe('the menus the stock table watches', () => {
  const menus = [
    { id: 1, name: '김치찌개', stock: 40 },
    { id: 2, name: '된장찌개', stock: 100 },
    { id: 3, name: 'Test menu', stock: 0 },
    { id: 4, name: 'Test menu', stock: 500 },
  ]

  it('takes the newest, or those with the least stock (the lower id first on a tie)', () => {
    expect(watchedMenus(menus, 'newest', 2).map((menu) => menu.id)).toEqual([4, 3])
    expect(watchedMenus(menus, 'least-stock', 3).map((menu) => menu.id)).toEqual([3, 1, 2])
    expect(watchedMenus([...menus, { id: 5, name: 'Tie', stock: 40 }], 'least-stock', 3).map((m) => m.id)).toEqual([
      3, 1, 5,
    ])
    expect(menus.map((menu) => menu.id)).toEqual([1, 2, 3, 4])
  })

  it('says in its caption when it shows only some of the menus, and which', () => {
    expect(stockCaption(4, 4, 'newest')).toBe('All 4 menus')
    expect(stockCaption(12, 20, 'newest')).toBe('12 of 20 menus shown (the 12 newest)')
    expect(stockCaption(12, 20, 'least-stock')).toBe('12 of 20 menus shown (the 12 with the least stock)')
  })
})
