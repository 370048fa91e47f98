/**
 * The runtime's metrics: every sample of a run, and what k6 computes of them for the thresholds and
 * the summary (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci).
 */

const METRIC_TYPES = ['counter', 'gauge', 'rate', 'trend'] as const
export type MetricType = (typeof METRIC_TYPES)[number]

export interface Sample {
  metric: string
  type: MetricType
  value: number
  tags: Record<string, string>
}

/** Every sample of a run, by metric: what thresholds and the summary read. */
export class MetricStore {
  readonly #metrics = new Map<string, { type: MetricType; samples: Sample[] }>()

  /**
   * A metric the script declared (`new Counter('name')` in its init code): it exists from the
   * start, so a threshold on it is evaluated on no samples (a count of 0) as k6 does, instead of
   * failing as one on a metric that does not exist.
   */
  declare(name: string, type: MetricType): void {
    const metric = this.#metrics.get(name)
    if (!metric) this.#metrics.set(name, { type, samples: [] })
    else if (metric.type !== type) throw new Error(`metric ${name} is a ${metric.type}, not a ${type}`)
  }

  add(sample: Sample): void {
    const metric = this.#metrics.get(sample.metric)
    if (!metric) this.#metrics.set(sample.metric, { type: sample.type, samples: [sample] })
    else if (metric.type !== sample.type) {
      throw new Error(`metric ${sample.metric} is a ${metric.type}, not a ${sample.type}`)
    } else metric.samples.push(sample)
  }

  names(): string[] {
    return [...this.#metrics.keys()].sort()
  }

  type(name: string): MetricType | undefined {
    return this.#metrics.get(name)?.type
  }

  /** The samples of a metric, those whose tags include `filter` (a threshold's `{name:…}`). */
  samples(name: string, filter: Record<string, string> = {}): Sample[] {
    return (this.#metrics.get(name)?.samples ?? []).filter((sample) =>
      Object.entries(filter).every(([key, value]) => sample.tags[key] === value),
    )
  }
}

/** What k6 computes of a metric's samples: count and rate of a counter, the rate of a rate… */
export function aggregate(type: MetricType, samples: Sample[], durationSeconds: number): Record<string, number> {
  const values = samples.map((sample) => sample.value)
  switch (type) {
    case 'counter': {
      const count = values.reduce((sum, value) => sum + value, 0)
      return { count, rate: durationSeconds > 0 ? count / durationSeconds : 0 }
    }
    case 'gauge':
      return {
        value: values.at(-1) ?? 0,
        min: values.length === 0 ? 0 : Math.min(...values),
        max: values.length === 0 ? 0 : Math.max(...values),
      }
    case 'rate': {
      const passes = values.filter((value) => value !== 0).length
      return { rate: values.length === 0 ? 0 : passes / values.length, passes, fails: values.length - passes }
    }
    case 'trend': {
      const sorted = [...values].sort((a, b) => a - b)
      return {
        avg: sorted.length === 0 ? 0 : sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
        min: sorted[0] ?? 0,
        med: interpolatedPercentile(sorted, 50),
        max: sorted.at(-1) ?? 0,
        'p(90)': interpolatedPercentile(sorted, 90),
        'p(95)': interpolatedPercentile(sorted, 95),
      }
    }
  }
}

/** k6's percentile: linear interpolation between the closest ranks (the records use the nearest rank: src/recorder.ts). */
export function interpolatedPercentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (rank - low)
}
