/**
 * Where the charts and the service map read the fleet's metrics: Prometheus (PROMETHEUS_URL) when
 * it answers with the fleet's series, since it holds their history from before this page opened and
 * its alerts are computed on them; else the web server's own scrapes (fleet-watch.ts), evaluated
 * with the same PromQL by @food/promql. One interface for both: an instant query, and a query at
 * chart times (a step apart, on multiples of the step, and now).
 */
import { evaluate, type SampleStore, type Series } from '@food/promql'
import { LAB_ROUTES } from './fleet-watch.ts'
import type { InstantSeries, PrometheusClient, RangeSeries } from './prometheus.ts'

export interface MetricsSource {
  name: 'prometheus' | 'scrapes'
  instant(query: string): Promise<InstantSeries[]>
  /** The query at each of `times` (unix seconds): multiples of `stepS`, and the last one now. */
  range(query: string, times: number[], stepS: number): Promise<RangeSeries[]>
}

const labelKey = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort())

/** Series at one time more, each added to its series (by labels) or a new one. */
function withPoint(series: RangeSeries[], at: number, points: InstantSeries[]): RangeSeries[] {
  const byKey = new Map(series.map((each) => [labelKey(each.labels), each]))
  for (const point of points) {
    const key = labelKey(point.labels)
    const found = byKey.get(key) ?? { labels: point.labels, values: [] }
    found.values.push([at, point.value])
    byKey.set(key, found)
  }
  return [...byKey.values()]
}

/** The chart times: every multiple of `stepS` in (now − seconds, now], and now. */
export function chartTimes(now: number, seconds: number, stepS: number): number[] {
  const times: number[] = []
  for (let t = Math.ceil((now - seconds) / stepS) * stepS; t <= now; t += stepS) times.push(t)
  if (times.at(-1) !== now) times.push(now)
  return times
}

export const prometheusSource = (client: PrometheusClient): MetricsSource => ({
  name: 'prometheus',
  instant: (query) => client.instant(query),
  range: async (query, times, stepS) => {
    const grid = times.filter((t) => t % stepS === 0)
    const last = times.at(-1) ?? 0
    const [ranged, now] = await Promise.all([
      grid.length > 0 ? client.range(query, grid[0] ?? 0, grid.at(-1) ?? 0, stepS) : [],
      last % stepS === 0 ? [] : client.instant(query, last),
    ])
    return withPoint(ranged, last, now)
  },
})

/** Values of queries at past times, by time (unix seconds) then query: a time past never changes. */
export type PointCache = Map<number, Map<string, Series[]>>

/**
 * The web server's own scrapes as a source: each time evaluated at its instant, as Prometheus'
 * query_range does, and kept (`cache`): a chart read again every few seconds evaluates only its
 * newest times. The lab's routes were left out when scraped: the matcher that leaves them out (a
 * regular expression per sample, per time) is dropped from the queries.
 */
export const scrapesSource = (samples: SampleStore, excluded?: string, cache?: PointCache): MetricsSource => {
  const plain = (query: string) =>
    excluded ? query.replaceAll(`route!~"${excluded}",`, '').replaceAll(`{route!~"${excluded}"}`, '') : query
  const at = (query: string, ms: number) => {
    const value = evaluate(plain(query), samples, ms)
    return value.kind === 'vector' ? value.series.filter((series) => !Number.isNaN(series.value)) : []
  }
  /** At a time before the newest scrape: no scrape to come changes it, so it is kept. */
  const kept = (query: string, t: number) => {
    if (!cache || t * 1000 >= (samples.latest ?? 0)) return at(query, t * 1000)
    const atTime = cache.get(t) ?? new Map<string, Series[]>()
    cache.set(t, atTime)
    let found = atTime.get(query)
    if (!found) {
      found = at(query, t * 1000)
      atTime.set(query, found)
    }
    return found
  }
  return {
    name: 'scrapes',
    instant: async (query) => at(query, samples.latest ?? Date.now()),
    range: async (query, times) => {
      let series: RangeSeries[] = []
      for (const t of times) series = withPoint(series, t, kept(query, t))
      return series
    },
  }
}

/**
 * The fleet's request rate per service and route, its 5xx and its p95, as PromQL. Each rate is
 * taken per scrape target first (`max without (instance, origin)`): where Prometheus scrapes one
 * process at two addresses (the compose stack on Docker Desktop), a request still counts once.
 */
export function fleetQueries(excludedRoutes: string) {
  const requests = (extra = '') => `http_server_request_duration_seconds_count{route!~"${excludedRoutes}"${extra}}`
  const once = (selector: string, by: string) =>
    `sum by (${by}) (max without (instance, origin) (rate(${selector}[1m])))`
  return {
    rate: (by: string) => once(requests(), by),
    errors: (by: string) => once(requests(',status_code=~"5.."'), by),
    p95: (by: string) =>
      `histogram_quantile(0.95, ${once(`http_server_request_duration_seconds_bucket{route!~"${excludedRoutes}"}`, `${by}, le`)})`,
    calls:
      'sum by (service, target) (max without (instance, origin) (rate(http_client_request_duration_seconds_count[1m])))',
    callErrors:
      'sum by (service, target) (max without (instance, origin) (rate(http_client_request_duration_seconds_count{status_code!~"[1-4].."}[1m])))',
    callP95:
      'histogram_quantile(0.95, sum by (service, target, le) (max without (instance, origin) (rate(http_client_request_duration_seconds_bucket[1m]))))',
  }
}

/** Prometheus when it answers and holds the fleet's request series; else the scrapes, when they have rates. */
export async function chooseSource(
  prometheus: PrometheusClient,
  scrapes: { samples: SampleStore; hasRates: boolean; points?: PointCache } | undefined,
): Promise<{ source: MetricsSource | undefined; prometheus: { url: string; reachable: boolean; error?: string } }> {
  try {
    const fleet = await prometheus.instant('count(http_server_request_duration_seconds_count)')
    const state = { url: prometheus.url, reachable: true }
    if (fleet.length > 0 && (fleet[0]?.value ?? 0) > 0)
      return { source: prometheusSource(prometheus), prometheus: state }
    return {
      source: scrapes?.hasRates ? scrapesSource(scrapes.samples, LAB_ROUTES, scrapes.points) : undefined,
      prometheus: state,
    }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code
    const reason =
      (error as Error).name === 'TimeoutError' ? 'no answer within 3 s' : (cause ?? (error as Error).message)
    return {
      source: scrapes?.hasRates ? scrapesSource(scrapes.samples, LAB_ROUTES, scrapes.points) : undefined,
      prometheus: { url: prometheus.url, reachable: false, error: reason },
    }
  }
}
