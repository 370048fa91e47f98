// GET /api/charts's answer, as types only: the web server makes it, the Charts page reads it.

export interface ChartSeries {
  service: string
  route: string
  /** Requests per second, 5xx per second, and the p95 in ms, one per time (null: no data then). */
  rate: (number | null)[]
  errors: (number | null)[]
  p95_ms: (number | null)[]
}

/** A window drawn as a band: a fault switched on, a network fault (toxic, edge down), an alert firing. */
export interface WindowBand {
  kind: 'fault' | 'network' | 'alert'
  /** The service whose chaos plane showed it, or the alert's service label. */
  service: string
  /** The switch (`payment_fail`), the edge (`order-restaurant`), or the alert's name. */
  name: string
  /** Its value (`100`, `latency 300 ms`, `down`), or the alert's severity. */
  detail: string
  /** Unix milliseconds; `to` null while it lasts. */
  from: number
  to: number | null
}

/** A slow request's trace: the point on its route's latency chart that opens it. */
export interface ChartExemplar {
  service: string
  route: string
  method: string
  status_code: string
  /** Unix milliseconds. */
  at: number
  duration_ms: number
  trace_id: string
  /** Whether the trace store holds the trace (tail sampling may have dropped it); null: not known yet. */
  kept: boolean | null
}

export interface ChartsAnswer {
  /** Where the figures come from: Prometheus, the web server's own scrapes, or nowhere yet. */
  source: 'prometheus' | 'scrapes' | 'none'
  prometheus: { url: string; reachable: boolean; error?: string }
  /** Why there are no figures, when there are none. */
  note?: string
  /** Unix seconds; a point every step_s. */
  from: number
  to: number
  step_s: number
  times: number[]
  series: ChartSeries[]
  bands: WindowBand[]
  exemplars: ChartExemplar[]
}
