/**
 * The columns of a run record's metrics.csv, one definition each: a PromQL query over the services'
 * own /metrics, evaluated at every scrape (docs/experiments.md#the-record-of-a-run).
 */
import { type Expr, evaluate, parseQuery, type SampleStore } from '@food/promql'

/**
 * Its query keeps the `service` label, and may keep more (`labels`): one column per service
 * (`order_request_rate`, RCAEval's `<service>_<metric>`), or per service and label values
 * (`order_p95_s{POST /orders}`).
 */
export interface MetricColumn {
  /** The metric part of the column's name. */
  name: string
  /** What the column holds, for the record's README. */
  description: string
  /** The labels beyond `service` that split it into columns, in the order they are named. */
  labels?: readonly string[]
  /** The query, given the range that spans two scrape intervals (e.g. `2500ms`). */
  query: (range: string) => string
}

const SERVER = 'http_server_request_duration_seconds'
const CLIENT = 'http_client_request_duration_seconds'

const quantile = (q: number, histogram: string, by: string, range: string) =>
  `histogram_quantile(${q}, sum by (${by}, le) (rate(${histogram}_bucket[${range}])))`
/** A ratio that is 0, not absent, when its numerator saw nothing, and absent when its denominator did. */
const ratio = (part: string, whole: string, by: string) =>
  `(sum by (${by}) (${part}) or sum by (${by}) (${whole}) * 0) / sum by (${by}) (${whole})`

export const METRIC_COLUMNS: readonly MetricColumn[] = [
  {
    name: 'request_rate',
    description: 'requests answered per second',
    query: (r) => `sum by (service) (rate(${SERVER}_count[${r}]))`,
  },
  {
    name: 'error_ratio',
    description: 'share of the requests answered 5xx',
    query: (r) => ratio(`rate(${SERVER}_count{status_code=~"5.."}[${r}])`, `rate(${SERVER}_count[${r}])`, 'service'),
  },
  ...([50, 95, 99] as const).map((p) => ({
    name: `p${p}_s`,
    description: `${p}th percentile of the time to answer, seconds`,
    query: (r: string) => quantile(p / 100, SERVER, 'service', r),
  })),
  {
    name: 'request_rate',
    labels: ['method', 'route'],
    description: 'requests answered per second, per route',
    query: (r) => `sum by (service, method, route) (rate(${SERVER}_count[${r}]))`,
  },
  ...([50, 95, 99] as const).map((p) => ({
    name: `p${p}_s`,
    labels: ['method', 'route'],
    description: `${p}th percentile of the time to answer, seconds, per route`,
    query: (r: string) => quantile(p / 100, SERVER, 'service, method, route', r),
  })),
  {
    name: 'client_p50_s',
    labels: ['target'],
    description: 'median time of the calls to another service, seconds, per called service',
    query: (r) => quantile(0.5, CLIENT, 'service, target', r),
  },
  {
    name: 'orders',
    labels: ['status', 'reason'],
    description: 'orders that reached a status (and failure reason) in the interval',
    query: (r) => `sum by (service, status, reason) (increase(orders_total[${r}]))`,
  },
  {
    name: 'stock_releases',
    labels: ['outcome'],
    description: 'attempts to give a failed or cancelled order’s stock back in the interval, by outcome',
    query: (r) => `sum by (service, outcome) (increase(order_stock_releases_total[${r}]))`,
  },
  {
    name: 'lock_wait_p95_s',
    description: '95th percentile of the wait for a stock row lock, seconds',
    query: (r) => quantile(0.95, 'inventory_lock_wait_seconds', 'service', r),
  },
  {
    name: 'cache_hit_ratio',
    description: 'share of the cache lookups that hit',
    query: (r) => ratio(`rate(cache_lookups_total{result="hit"}[${r}])`, `rate(cache_lookups_total[${r}])`, 'service'),
  },
  {
    name: 'chaos_injections',
    labels: ['fault'],
    description: 'faults injected by the service itself in the interval, per fault',
    query: (r) => `sum by (service, fault) (increase(chaos_injections_total[${r}]))`,
  },
  {
    name: 'up',
    description: 'whether the service answered the scrape: 1, or 0 (down, killed, refusing)',
    query: () => 'max by (service) (up)',
  },
  {
    name: 'scrape_duration_s',
    description: 'how long the service took to answer the scrape, seconds (a paused process: until it runs again)',
    query: () => 'max by (service) (scrape_duration_seconds)',
  },
  {
    name: 'start_time_s',
    description: 'when the service’s process started, Unix seconds (it moves when the process is started again)',
    query: () => 'max by (service) (process_start_time_seconds)',
  },
  {
    name: 'cache_errors',
    description: 'cache operations that failed and fell back to the source in the interval',
    query: (r) => `sum by (service) (increase(cache_errors_total[${r}]))`,
  },
  {
    name: 'db_connections_lost',
    description: 'idle PostgreSQL connections the server ended in the interval (the pool opens new ones)',
    query: (r) => `sum by (service) (increase(database_connections_lost_total[${r}]))`,
  },
  {
    name: 'db_connections_active',
    description: 'PostgreSQL connections of the pool checked out (busy, or held and never given back)',
    query: () => 'max by (service) (database_connections_active)',
  },
  {
    name: 'event_loop_lag_p99_s',
    description: "99th percentile of the event loop's lag, seconds",
    query: () => 'max by (service) (nodejs_eventloop_lag_p99_seconds)',
  },
  {
    name: 'cpu',
    description: 'CPU seconds used per second (1 = one core)',
    query: (r) => `sum by (service) (rate(process_cpu_seconds_total[${r}]))`,
  },
  {
    name: 'rss_bytes',
    description: 'resident memory, bytes',
    query: () => 'max by (service) (process_resident_memory_bytes)',
  },
]

/** A column's name for one series: `<service>_<metric>`, then its other labels' values in braces. */
function columnName(column: MetricColumn, labels: Record<string, string>): string {
  const base = `${labels.service ?? 'fleet'}_${column.name}`
  if (!column.labels) return base
  return `${base}{${column.labels.map((label) => labels[label] ?? '').join(' ')}}`
}

/**
 * metrics.csv being filled: a row per scrape, its cells evaluated from the scrapes so far. The
 * columns are the union of what the rows saw (a route first called mid-run gets its column then).
 */
export class MetricsTable {
  readonly #rows: { time: number; cells: Map<string, number> }[] = []
  readonly #columns = new Set<string>()
  /** Each column's query, parsed once: its range spans two scrapes and a half. */
  readonly #queries: { column: MetricColumn; query: Expr }[]

  constructor(readonly intervalMs: number) {
    const range = `${2 * intervalMs + intervalMs / 2}ms`
    this.#queries = METRIC_COLUMNS.map((column) => ({ column, query: parseQuery(column.query(range)) }))
  }

  /** A row at `epochMs` (wall clock), from the store as it is at its own time `at`. */
  add(epochMs: number, store: SampleStore, at: number): void {
    const cells = new Map<string, number>()
    for (const { column, query } of this.#queries) {
      const value = evaluate(query, store, at)
      const series = value.kind === 'vector' ? value.series : [{ labels: {}, value: value.value }]
      for (const { labels, value: cell } of series) {
        if (!Number.isFinite(cell)) continue
        const name = columnName(column, labels)
        cells.set(name, cell)
        this.#columns.add(name)
      }
    }
    this.#rows.push({ time: epochMs, cells })
  }

  get rows(): number {
    return this.#rows.length
  }

  /** The table as CSV: `time` (Unix seconds) then each column, sorted; an empty cell: no value. */
  csv(): string {
    const columns = [...this.#columns].sort()
    const lines = [['time', ...columns].map(csvField).join(',')]
    for (const { time, cells } of this.#rows) {
      const values = columns.map((column) => {
        const cell = cells.get(column)
        return cell === undefined ? '' : shortest(cell)
      })
      lines.push([(time / 1000).toFixed(3), ...values].join(','))
    }
    return `${lines.join('\n')}\n`
  }
}

/**
 * A cell: six significant digits, or three decimals for a figure that has more digits than that
 * before its point (a start time in Unix seconds, a memory size), so it never loses its units.
 */
export function shortest(value: number): string {
  const whole = value === 0 ? 1 : Math.floor(Math.log10(Math.abs(value))) + 1
  return String(Number(value.toPrecision(Math.min(21, Math.max(6, whole + 3)))))
}

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
export const csvField = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text)
