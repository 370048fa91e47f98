/**
 * The chaos console's live figures, computed from scrapes of a service's `/metrics` a moment
 * apart with PromQL's `rate()` and `histogram_quantile()` (@food/promql), and which menus the
 * stock table watches. Pure: no DOM, no fetch.
 */
import { evaluate, plainValue, type SampleStore } from '@food/promql'

/** Orders per second by outcome, and the p95 of POST /orders, over the newest `rangeMs` of scrapes. */
export function orderFiguresOf(store: SampleStore, rangeMs: number) {
  const range = `${Math.ceil(rangeMs)}ms`
  const outcomes = evaluate(`sum by (status, reason) (rate(orders_total[${range}]))`, store)
  const p95 = plainValue(
    evaluate(
      `histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{method="POST",route="/orders"}[${range}])))`,
      store,
    ),
  )
  return {
    outcomes: (outcomes.kind === 'vector' ? outcomes.series : [])
      .filter((series) => series.value > 0)
      .map(({ labels, value }) => ({ status: labels.status ?? '', reason: labels.reason ?? '', perSecond: value })),
    p95Seconds: typeof p95 === 'number' ? p95 : undefined,
  }
}

export interface StockRow {
  menuId: number
  stock: number
  reserved: number
}

export interface StockCheck extends StockRow {
  /** stock + reserved now; while only orders move stock it never changes. */
  total: number
  /** stock + reserved when the console first saw this menu. */
  baseline: number
  holds: boolean
}

/**
 * The stock invariant per menu: stock never below zero, and stock + units held by orders equal to
 * what it was when first seen (a reserve moves units from one to the other, a restore back).
 */
export function checkStock(rows: StockRow[], baselines: Map<number, number>): StockCheck[] {
  return rows.map((row) => {
    const total = row.stock + row.reserved
    if (!baselines.has(row.menuId)) baselines.set(row.menuId, total)
    const baseline = baselines.get(row.menuId) ?? total
    return { ...row, total, baseline, holds: row.stock >= 0 && total === baseline }
  })
}

export interface MenuStock {
  id: number
  name: string
  stock: number
}

/** The ways to choose the few menus the stock table watches, and how each is said. */
export const STOCK_CHOICES = {
  newest: { label: 'newest', order: (a: MenuStock, b: MenuStock) => b.id - a.id },
  'least-stock': {
    label: 'with the least stock',
    order: (a: MenuStock, b: MenuStock) => a.stock - b.stock || a.id - b.id,
  },
} as const
export type StockChoice = keyof typeof STOCK_CHOICES

/** The `count` menus the choice puts first. */
export const watchedMenus = (menus: MenuStock[], choice: StockChoice, count: number) =>
  [...menus].sort(STOCK_CHOICES[choice].order).slice(0, count)

/** What the stock table shows, said in its caption: all menus, or which few of how many. */
export const stockCaption = (shown: number, total: number, choice: StockChoice) =>
  shown === total
    ? `All ${total} menus`
    : `${shown} of ${total} menus shown (the ${shown} ${STOCK_CHOICES[choice].label})`
