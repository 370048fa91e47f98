import { Counter, Gauge, type OpenMetricsContentType, type Registry } from 'prom-client'

type MetricsRegistry = Registry<OpenMetricsContentType>

export interface GaugeReading<Label extends string> {
  labels: Record<Label, string>
  value: number
}

export interface ReadingGaugeOptions<Label extends string> {
  name: string
  help: string
  labelNames: readonly Label[]
  /** Reads every series' current value (e.g. from PostgreSQL); called at each scrape. */
  read: () => Promise<GaugeReading<Label>[]>
  /** A read slower than this counts as failed: a scrape must not wait on a stuck dependency. */
  timeoutMs?: number
}

interface Failures {
  counter: Counter<'metric'>
  /** The reads of the scrape in progress. */
  reading: Set<Promise<void>>
}

const failuresByRegistry = new WeakMap<MetricsRegistry, Failures>()

function failuresOf(registry: MetricsRegistry): Failures {
  let failures = failuresByRegistry.get(registry)
  if (!failures) {
    const reading = new Set<Promise<void>>()
    const counter = new Counter({
      name: 'metrics_collect_failures_total',
      help: 'Scrapes at which a metric read from a dependency could not be read; it kept its last values',
      labelNames: ['metric'],
      registers: [registry],
      // A scrape collects every metric at once: this one waits for the reads it started (they all
      // begin before the next turn of the event loop), so it counts this scrape's failures.
      async collect() {
        await new Promise((resolve) => setImmediate(resolve))
        await Promise.allSettled(reading)
      },
    })
    failures = { counter, reading }
    failuresByRegistry.set(registry, failures)
  }
  return failures
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`read took over ${timeoutMs} ms`)), timeoutMs)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/**
 * A gauge read from a dependency at each scrape. In prom-client one failing collect fails the
 * whole scrape, so every metric of the service would vanish exactly when the dependency is down;
 * here a read that fails or is too slow keeps the values of the last good read and is counted in
 * `metrics_collect_failures_total{metric}`.
 */
export function readingGauge<Label extends string>(
  registry: MetricsRegistry,
  { name, help, labelNames, read, timeoutMs = 1000 }: ReadingGaugeOptions<Label>,
): Gauge<Label> {
  const failures = failuresOf(registry)
  failures.counter.inc({ metric: name }, 0)
  return new Gauge<Label>({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      const collecting = (async () => {
        let readings: GaugeReading<Label>[]
        try {
          readings = await withTimeout(read(), timeoutMs)
        } catch {
          failures.counter.inc({ metric: name })
          return
        }
        this.reset()
        for (const { labels, value } of readings) this.set(labels as Partial<Record<Label, string>>, value)
      })()
      failures.reading.add(collecting)
      await collecting.finally(() => failures.reading.delete(collecting))
    },
  })
}
