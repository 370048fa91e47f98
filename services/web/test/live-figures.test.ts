import { parseExposition, SampleStore } from '@food/promql'
import { describe, expect, it } from 'vitest'
import { checkStock, orderFiguresOf, stockCaption, watchedMenus } from '../app/live-figures.ts'

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

describe('the order figures, from two scrapes 2 s apart', () => {
  const store = () => {
    const scrapes = new SampleStore()
    scrapes.add('order', 0, parseExposition(SCRAPE_1))
    scrapes.add('order', 2000, parseExposition(SCRAPE_2))
    return scrapes
  }

  it('gives orders per second by outcome, a new outcome counting from zero', () => {
    expect(orderFiguresOf(store(), 2000).outcomes).toEqual([
      { status: 'CONFIRMED', reason: '', perSecond: 10 },
      { status: 'FAILED', reason: 'payment_failed', perSecond: 2 },
      { status: 'FAILED', reason: 'out_of_stock', perSecond: 0.5 },
    ])
  })

  it('interpolates the p95 of POST /orders within the bucket holding the rank, across status codes', () => {
    // Between the scrapes: 0 under 50 ms, 10 in (50, 100] ms, 0 above.
    expect(orderFiguresOf(store(), 2000).p95Seconds).toBeCloseTo(0.05 + 0.05 * 0.95, 6)
  })

  it('has no p95 when no order was observed between the scrapes', () => {
    const same = new SampleStore()
    same.add('order', 0, parseExposition(SCRAPE_2))
    same.add('order', 2000, parseExposition(SCRAPE_2))
    expect(orderFiguresOf(same, 2000)).toEqual({ outcomes: [], p95Seconds: undefined })
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
