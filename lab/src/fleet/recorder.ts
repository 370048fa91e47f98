/**
 * Every request of a run as the lab records it, and the figures made of them (percentiles, the
 * timeline) for journals and records (docs/experiments.md#the-journal).
 */

export interface Sample {
  /** Milliseconds since the run started. */
  at: number
  endpoint: string
  status: number
  latencyMs: number
  /** `X-Cache` of the answer, where the service sends one. */
  cache?: string
  /** Why an order failed, when the answer says (failure_reason, or the error code). */
  reason?: string
}

/** Every request of a run, kept in memory (runs are bounded in count and time). */
export class Recorder {
  readonly samples: Sample[] = []
  readonly startedAt = performance.now()

  elapsedMs(): number {
    return performance.now() - this.startedAt
  }

  add(sample: Omit<Sample, 'at'> & { startedAt: number }): void {
    const { startedAt, ...rest } = sample
    this.samples.push({ ...rest, at: startedAt - this.startedAt })
  }
}

/** The nearest-rank percentile (a value the run saw), as the records and reports give it; k6's interpolates (@food/k6-runtime). */
export function nearestRankPercentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, index)] as number
}

export interface LatencySummary {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
}

export function summarise(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    count: sorted.length,
    p50: round(nearestRankPercentile(sorted, 50)),
    p95: round(nearestRankPercentile(sorted, 95)),
    p99: round(nearestRankPercentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
  }
}

/** To `digits` decimals (one by default), as the reports and journals show figures. */
export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

export const countBy = <T>(items: T[], key: (item: T) => string | undefined): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const item of items) {
    const name = key(item)
    if (name !== undefined) counts[name] = (counts[name] ?? 0) + 1
  }
  return counts
}

/** `Object.groupBy`, which Node 20 lacks. */
export function groupBy<T>(items: T[], key: (item: T) => string): Record<string, T[]> {
  const groups: Record<string, T[]> = {}
  for (const item of items) {
    const group = groups[key(item)]
    if (group) group.push(item)
    else groups[key(item)] = [item]
  }
  return groups
}

/** One second of a run: its requests, errors (5xx or no answer), p50 and p95 latency in ms. */
export interface SecondOfRun {
  second: number
  requests: number
  errors: number
  /** Of the requests answered in that second; null when none was (an outage is no latency, not 0 ms). */
  p50: number | null
  p95: number | null
}

/** One point a second, counted from `originMs` (the recorder's milliseconds), none missing: a second without requests is a point too. */
export function timelineOf(samples: Sample[], originMs = samples[0]?.at ?? 0): SecondOfRun[] {
  const bySecond = groupBy(samples, (sample) => String(Math.floor((sample.at - originMs) / 1000)))
  const last = Math.max(-1, ...Object.keys(bySecond).map(Number))
  return Array.from({ length: last + 1 }, (_, second) => {
    const list = bySecond[String(second)] ?? []
    const answered = list.filter((sample) => sample.status !== 0)
    const latency = answered.length === 0 ? null : summarise(answered.map((sample) => sample.latencyMs))
    return {
      second,
      requests: list.length,
      errors: list.filter((sample) => sample.status >= 500 || sample.status === 0).length,
      p50: latency?.p50 ?? null,
      p95: latency?.p95 ?? null,
    }
  })
}
