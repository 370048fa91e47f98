/**
 * A script's thresholds (`p(95)<…`, `rate<…`, `count>…`, tag filters) evaluated on the run's metrics,
 * as k6 does (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci).
 */
import { aggregate, interpolatedPercentile, type MetricStore, type MetricType } from './metrics.ts'

export interface ThresholdResult {
  /** As written in the options: `http_req_duration{name:POST /orders}`. */
  metric: string
  expression: string
  ok: boolean
  /** The aggregated value the expression compared. */
  actual: number
  /** The expression as the script wrote it, when the run's scale changed its bound (a count). */
  scriptExpression?: string
}

const AGGREGATIONS: Record<MetricType, RegExp> = {
  counter: /^(count|rate)$/,
  gauge: /^value$/,
  rate: /^rate$/,
  trend: /^(avg|min|max|med|p\(\d+(\.\d+)?\))$/,
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '===': (a, b) => a === b,
  '!=': (a, b) => a !== b,
}

/** `http_req_duration{name:POST /orders,method:POST}` → the metric and its tag filter. */
export function parseMetricKey(key: string): { name: string; filter: Record<string, string> } {
  const match = /^([\w.]+)(?:\{(.*)\})?$/.exec(key)
  if (!match) throw new Error(`threshold on ${JSON.stringify(key)}: not a metric name`)
  const filter: Record<string, string> = {}
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const colon = pair.indexOf(':')
    if (colon < 0) throw new Error(`threshold on ${key}: tag ${pair} has no value`)
    filter[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim()
  }
  return { name: match[1] as string, filter }
}

/**
 * Every threshold of the options, evaluated as k6 does at the end of a run. A threshold on a
 * metric no sample was recorded for fails (k6 refuses one on a metric that does not exist), and
 * so does an aggregation the metric's type does not have. A run scaled down (`scale` < 1) counts
 * that many times fewer events, so the bound of a `count` threshold is scaled with it; rates,
 * percentiles and values are not (they do not grow with the load).
 */
export function evaluateThresholds(
  thresholds: Record<string, (string | { threshold: string })[]>,
  store: MetricStore,
  durationSeconds: number,
  scale = 1,
): ThresholdResult[] {
  return Object.entries(thresholds).flatMap(([key, expressions]) => {
    const { name, filter } = parseMetricKey(key)
    return expressions.map((entry) => {
      const expression = typeof entry === 'string' ? entry : entry.threshold
      const parsed = /^\s*([\w().]+)\s*(<=|>=|===|==|!=|<|>)\s*(-?[\d.]+)\s*$/.exec(expression)
      if (!parsed)
        throw new Error(`threshold ${key}: ${JSON.stringify(expression)} is not "aggregation operator number"`)
      const [, aggregation, operator, written] = parsed as unknown as [string, string, string, string]
      const scaledCount = aggregation === 'count' && scale !== 1
      const bound = scaledCount ? Number(written) * scale : Number(written)
      const shown = scaledCount
        ? { expression: `${aggregation}${operator}${Number(bound.toFixed(6))}`, scriptExpression: expression }
        : { expression }
      const type = store.type(name)
      if (!type) return { metric: key, ...shown, ok: false, actual: Number.NaN }
      if (!AGGREGATIONS[type].test(aggregation)) {
        throw new Error(`threshold ${key}: a ${type} metric has no ${aggregation}`)
      }
      const samples = store.samples(name, filter)
      // Any p(N) is read off the sorted values; the rest is what the summary shows.
      const p = /^p\(([\d.]+)\)$/.exec(aggregation)
      const actual = p
        ? interpolatedPercentile(
            samples.map((sample) => sample.value).sort((a, b) => a - b),
            Number(p[1]),
          )
        : (aggregate(type, samples, durationSeconds)[aggregation] as number)
      return {
        metric: key,
        ...shown,
        ok: (COMPARE[operator] as (a: number, b: number) => boolean)(actual, bound),
        actual,
      }
    })
  })
}
