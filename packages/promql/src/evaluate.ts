/**
 * Evaluates a parsed query over a SampleStore at one instant, as Prometheus would for the
 * subset parse.ts reads. Two choices differ on purpose, for short runs scraped every second: a
 * series missing from the oldest scrape of a range counts from 0 there (it was born in the
 * range, as the services' counters are), and `rate` divides by the time the scrapes cover,
 * without extrapolating to the range's edges.
 */
import type { Sample } from './exposition.ts'
import { type BinaryOp, COMPARISONS, type Expr, type Matcher, parseQuery, QueryError } from './parse.ts'
import type { SampleStore, Scrape } from './sample-store.ts'

export interface Series {
  labels: Record<string, string>
  value: number
}

export type QueryValue = { kind: 'scalar'; value: number } | { kind: 'vector'; series: Series[] }

/** How far back an instant selector looks for a target's newest scrape (Prometheus' lookback delta). */
const LOOKBACK_MS = 5 * 60_000

const labelKey = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))

function matches(sample: Sample, name: string, matchers: Matcher[]): boolean {
  if (sample.name !== name) return false
  return matchers.every(({ label, op, value }) => {
    const actual = sample.labels[label] ?? ''
    if (op === '=') return actual === value
    if (op === '!=') return actual !== value
    const full = new RegExp(`^(?:${value})$`).test(actual)
    return op === '=~' ? full : !full
  })
}

function instant(store: SampleStore, at: number, name: string, matchers: Matcher[]): Series[] {
  return store.targets.flatMap((target) => {
    const newest = store.between(target, at - LOOKBACK_MS, at).at(-1)
    return (newest?.samples ?? [])
      .filter((sample) => matches(sample, name, matchers))
      .map((sample) => ({ labels: sample.labels, value: sample.value }))
  })
}

/** Each series' increase over the scrapes in the range, counter resets taken as restarts from 0. */
function increases(scrapes: Scrape[], name: string, matchers: Matcher[]): { series: Series[]; seconds: number } {
  const first = scrapes[0]
  const last = scrapes.at(-1)
  if (!first || !last || scrapes.length < 2) return { series: [], seconds: 0 }
  const totals = new Map<string, Series>()
  let previous = new Map<string, number>()
  for (const [index, scrape] of scrapes.entries()) {
    const current = new Map<string, number>()
    for (const sample of scrape.samples) {
      if (!matches(sample, name, matchers)) continue
      const key = labelKey(sample.labels)
      current.set(key, sample.value)
      if (index === 0) continue
      const before = previous.get(key) ?? 0
      const step = sample.value >= before ? sample.value - before : sample.value
      const total = totals.get(key) ?? { labels: sample.labels, value: 0 }
      total.value += step
      totals.set(key, total)
    }
    previous = current
  }
  const present = new Set(
    last.samples.filter((sample) => matches(sample, name, matchers)).map((sample) => labelKey(sample.labels)),
  )
  return {
    series: [...totals].filter(([key]) => present.has(key)).map(([, series]) => series),
    seconds: (last.at - first.at) / 1000,
  }
}

function quantile(q: number, buckets: { bound: number; count: number }[]): number {
  const sorted = [...buckets].sort((a, b) => a.bound - b.bound)
  const total = sorted.at(-1)?.count ?? 0
  if (sorted.length < 2 || total === 0 || sorted.at(-1)?.bound !== Number.POSITIVE_INFINITY) return Number.NaN
  if (q < 0) return Number.NEGATIVE_INFINITY
  if (q > 1) return Number.POSITIVE_INFINITY
  const rank = q * total
  let lowerBound = 0
  let lowerCount = 0
  for (const { bound, count } of sorted) {
    if (count >= rank) {
      // Beyond the last finite bound nothing can be interpolated: answer that bound.
      if (bound === Number.POSITIVE_INFINITY) return lowerBound
      if (count === lowerCount) return bound
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / (count - lowerCount)
    }
    lowerBound = bound
    lowerCount = count
  }
  return lowerBound
}

const without = (labels: Record<string, string>, drop: string[]) =>
  Object.fromEntries(Object.entries(labels).filter(([name]) => !drop.includes(name)))

function histogramQuantile(q: number, series: Series[]): Series[] {
  const groups = new Map<string, { labels: Record<string, string>; buckets: { bound: number; count: number }[] }>()
  for (const { labels, value } of series) {
    if (labels.le === undefined) continue
    const rest = without(labels, ['le'])
    const key = labelKey(rest)
    const group = groups.get(key) ?? { labels: rest, buckets: [] }
    group.buckets.push({ bound: labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le), count: value })
    groups.set(key, group)
  }
  return [...groups.values()].map(({ labels, buckets }) => ({ labels, value: quantile(q, buckets) }))
}

function aggregate(expr: Extract<Expr, { type: 'aggregate' }>, series: Series[]): Series[] {
  const groups = new Map<string, { labels: Record<string, string>; values: number[] }>()
  for (const { labels, value } of series) {
    const kept = !expr.grouping
      ? {}
      : expr.grouping.mode === 'by'
        ? Object.fromEntries(
            expr.grouping.labels.filter((name) => name in labels).map((name) => [name, labels[name] ?? '']),
          )
        : without(labels, expr.grouping.labels)
    const key = labelKey(kept)
    const group = groups.get(key) ?? { labels: kept, values: [] }
    group.values.push(value)
    groups.set(key, group)
  }
  const reduce = {
    sum: (values: number[]) => values.reduce((a, b) => a + b, 0),
    avg: (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length,
    min: (values: number[]) => Math.min(...values),
    max: (values: number[]) => Math.max(...values),
    count: (values: number[]) => values.length,
  }[expr.op]
  return [...groups.values()].map(({ labels, values }) => ({ labels, value: reduce(values) }))
}

const arithmetic = {
  '+': (a: number, b: number) => a + b,
  '-': (a: number, b: number) => a - b,
  '*': (a: number, b: number) => a * b,
  '/': (a: number, b: number) => a / b,
}

const comparisons: Record<(typeof COMPARISONS)[number], (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '<': (a, b) => a < b,
  '>=': (a, b) => a >= b,
  '<=': (a, b) => a <= b,
}

/** A comparison filters: the left side's series for which it holds, their values kept (PromQL without `bool`). */
function compare(op: (typeof COMPARISONS)[number], left: QueryValue, right: QueryValue): QueryValue {
  const holds = comparisons[op]
  if (left.kind === 'scalar') throw new QueryError(`a comparison (${op}) takes a vector on its left`)
  if (right.kind === 'scalar') return { kind: 'vector', series: left.series.filter((s) => holds(s.value, right.value)) }
  const rights = new Map(right.series.map((series) => [labelKey(series.labels), series.value]))
  return {
    kind: 'vector',
    series: left.series.filter((s) => {
      const other = rights.get(labelKey(s.labels))
      return other !== undefined && holds(s.value, other)
    }),
  }
}

function binary(op: BinaryOp, left: QueryValue, right: QueryValue): QueryValue {
  if ((COMPARISONS as readonly string[]).includes(op)) return compare(op as (typeof COMPARISONS)[number], left, right)
  if (op === 'or') {
    if (left.kind !== 'vector' || right.kind !== 'vector') throw new QueryError('"or" takes two vectors')
    const seen = new Set(left.series.map((series) => labelKey(series.labels)))
    return {
      kind: 'vector',
      series: [...left.series, ...right.series.filter((series) => !seen.has(labelKey(series.labels)))],
    }
  }
  const apply = arithmetic[op as keyof typeof arithmetic]
  if (left.kind === 'scalar' && right.kind === 'scalar')
    return { kind: 'scalar', value: apply(left.value, right.value) }
  if (left.kind === 'vector' && right.kind === 'scalar') {
    return {
      kind: 'vector',
      series: left.series.map((s) => ({ labels: s.labels, value: apply(s.value, right.value) })),
    }
  }
  if (left.kind === 'scalar' && right.kind === 'vector') {
    return {
      kind: 'vector',
      series: right.series.map((s) => ({ labels: s.labels, value: apply(left.value, s.value) })),
    }
  }
  // Two vectors: one-to-one, on identical label sets (as PromQL without `on`/`ignoring`).
  const rights = new Map(
    (right as { series: Series[] }).series.map((series) => [labelKey(series.labels), series.value]),
  )
  return {
    kind: 'vector',
    series: (left as { series: Series[] }).series.flatMap((series) => {
      const other = rights.get(labelKey(series.labels))
      return other === undefined ? [] : [{ labels: series.labels, value: apply(series.value, other) }]
    }),
  }
}

function evaluateAt(expr: Expr, store: SampleStore, at: number): QueryValue {
  switch (expr.type) {
    case 'number':
      return { kind: 'scalar', value: expr.value }
    case 'selector':
      if (expr.rangeMs !== undefined)
        throw new QueryError(`${expr.name}[…] is a range: wrap it in rate() or increase()`)
      return { kind: 'vector', series: instant(store, at, expr.name, expr.matchers) }
    case 'aggregate': {
      const inner = evaluateAt(expr.expr, store, at)
      if (inner.kind !== 'vector') throw new QueryError(`${expr.op}() takes a vector`)
      return { kind: 'vector', series: aggregate(expr, inner.series) }
    }
    case 'binary':
      return binary(expr.op, evaluateAt(expr.left, store, at), evaluateAt(expr.right, store, at))
    case 'call': {
      const [first, second] = expr.args
      if (expr.fn === 'vector')
        return { kind: 'vector', series: [{ labels: {}, value: (first as { value: number }).value }] }
      if (expr.fn === 'histogram_quantile') {
        const buckets = evaluateAt(second as Expr, store, at)
        if (buckets.kind !== 'vector') throw new QueryError('histogram_quantile() takes a vector of buckets')
        return { kind: 'vector', series: histogramQuantile((first as { value: number }).value, buckets.series) }
      }
      const range = first as Extract<Expr, { type: 'selector' }>
      const series = store.targets.flatMap((target) => {
        const { series, seconds } = increases(
          store.between(target, at - (range.rangeMs ?? 0), at),
          range.name,
          range.matchers,
        )
        return expr.fn === 'increase' ? series : series.map((s) => ({ labels: s.labels, value: s.value / seconds }))
      })
      return { kind: 'vector', series }
    }
  }
}

/** Evaluates a query (text or parsed) at `at`, by default the store's newest scrape. */
export function evaluate(query: string | Expr, store: SampleStore, at = store.latest ?? Date.now()): QueryValue {
  return evaluateAt(typeof query === 'string' ? parseQuery(query) : query, store, at)
}

/**
 * A query's value as one plain value: a number for a scalar or a single series, null for no
 * series (or NaN: nothing observed), else each series' labels and value.
 */
export function plainValue(value: QueryValue): number | null | Series[] {
  if (value.kind === 'scalar') return Number.isNaN(value.value) ? null : value.value
  const series = value.series.filter((s) => !Number.isNaN(s.value))
  if (series.length === 0) return null
  if (series.length === 1 && value.series.length === 1) return series[0]?.value ?? null
  return series
}
