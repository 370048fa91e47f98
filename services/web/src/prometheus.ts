/**
 * The few reads of Prometheus' HTTP API the charts and the service map make: an instant query, a
 * range query and the exemplars of a range, each with a deadline (a Prometheus that hangs is said
 * to be unreachable rather than waited for).
 */

const TIMEOUT_MS = 3000

export interface InstantSeries {
  labels: Record<string, string>
  value: number
}

export interface RangeSeries {
  labels: Record<string, string>
  /** [unix seconds, value] */
  values: [number, number][]
}

export interface ExemplarSeries {
  seriesLabels: Record<string, string>
  exemplars: { labels: Record<string, string>; value: number; timestamp: number }[]
}

interface Answer<T> {
  status: string
  data?: T
  error?: string
}

export class PrometheusClient {
  readonly url: string

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '')
  }

  private async get<T>(path: string, params: Record<string, string | number>): Promise<T> {
    const query = new URLSearchParams(Object.entries(params).map(([name, value]) => [name, String(value)]))
    const response = await fetch(`${this.url}${path}?${query}`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
    const answer = (await response.json()) as Answer<T>
    if (answer.status !== 'success' || answer.data === undefined) {
      throw new Error(answer.error ?? `it answered ${response.status}`)
    }
    return answer.data
  }

  /** The query's value now, or at `time` (unix seconds). */
  async instant(query: string, time?: number): Promise<InstantSeries[]> {
    const data = await this.get<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
      '/api/v1/query',
      time === undefined ? { query } : { query, time },
    )
    return data.result.map((series) => ({ labels: series.metric, value: Number(series.value[1]) }))
  }

  async range(query: string, start: number, end: number, stepS: number): Promise<RangeSeries[]> {
    const data = await this.get<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
      '/api/v1/query_range',
      { query, start, end, step: stepS },
    )
    return data.result.map((series) => ({
      labels: series.metric,
      values: series.values.map(([at, value]) => [at, Number(value)] as [number, number]),
    }))
  }

  async exemplars(query: string, start: number, end: number): Promise<ExemplarSeries[]> {
    const data = await this.get<
      {
        seriesLabels: Record<string, string>
        exemplars: { labels: Record<string, string>; value: string; timestamp: number }[]
      }[]
    >('/api/v1/query_exemplars', { query, start, end })
    return data.map((series) => ({
      seriesLabels: series.seriesLabels,
      exemplars: series.exemplars.map((exemplar) => ({ ...exemplar, value: Number(exemplar.value) })),
    }))
  }
}
