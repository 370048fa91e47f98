/**
 * The chaos console's live figures, computed from two scrapes of a service's `/metrics` a moment
 * apart, as Prometheus' `rate()` and `histogram_quantile()` would, and which menus the stock table
 * watches. Pure: no DOM, no fetch.
 */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** The samples of a Prometheus or OpenMetrics text (comments and exemplars left out). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    // An OpenMetrics exemplar follows ` # `; the sample is what comes before.
    const [sample = ''] = line.split(' # ')
    const match = SAMPLE.exec(sample)
    if (!match) continue
    const [, name = '', labelText = '', value = ''] = match
    const labels: Record<string, string> = {}
    for (const [, key = '', raw = ''] of labelText.matchAll(LABEL)) labels[key] = raw.replace(/\\(.)/g, '$1')
    samples.push({ name, labels, value: Number(value) })
  }
  return samples
}

const key = (labels: Record<string, string>, names: string[]) => names.map((name) => labels[name] ?? '').join('\u0000')

/** Increase of a counter's series between two scrapes, per second, summed by the named labels. */
export function ratePerSecond(
  before: Sample[],
  after: Sample[],
  name: string,
  by: string[],
  seconds: number,
): Map<string, number> {
  const previous = new Map(before.filter((s) => s.name === name).map((s) => [JSON.stringify(s.labels), s.value]))
  const rates = new Map<string, number>()
  for (const sample of after) {
    if (sample.name !== name) continue
    const earlier = previous.get(JSON.stringify(sample.labels)) ?? 0
    // A counter that went down was reset (a restart): its new value is the increase.
    const increase = sample.value >= earlier ? sample.value - earlier : sample.value
    const group = key(sample.labels, by)
    rates.set(group, (rates.get(group) ?? 0) + increase / seconds)
  }
  return rates
}

/**
 * The q-quantile of a histogram's observations between two scrapes, over the series whose labels
 * match `where`, interpolated within a bucket as `histogram_quantile` does; undefined with none.
 */
export function quantileBetween(
  q: number,
  before: Sample[],
  after: Sample[],
  histogram: string,
  where: Record<string, string>,
): number | undefined {
  const bucket = `${histogram}_bucket`
  const matches = (s: Sample) =>
    s.name === bucket && Object.entries(where).every(([name, value]) => s.labels[name] === value)
  const cumulative = (samples: Sample[]) => {
    const byBound = new Map<number, number>()
    for (const s of samples.filter(matches)) {
      const bound = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le)
      byBound.set(bound, (byBound.get(bound) ?? 0) + s.value)
    }
    return byBound
  }
  const earlier = cumulative(before)
  const buckets = [...cumulative(after)]
    .map(([bound, count]) => ({ bound, count: Math.max(0, count - (earlier.get(bound) ?? 0)) }))
    .sort((a, b) => a.bound - b.bound)
  const total = buckets.at(-1)?.count ?? 0
  if (total === 0) return undefined
  const rank = q * total
  let lowerBound = 0
  let lowerCount = 0
  for (const { bound, count } of buckets) {
    if (count >= rank) {
      // Beyond the last finite bound nothing can be interpolated: answer that bound.
      if (bound === Number.POSITIVE_INFINITY) return lowerBound
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / Math.max(count - lowerCount, 1e-9)
    }
    lowerBound = bound
    lowerCount = count
  }
  return lowerBound
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
