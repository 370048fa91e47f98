/**
 * The services' /metrics scraped while a run goes, as Prometheus would, into a SampleStore (what
 * an experiment's prometheus probes query) and, when given, a row of the record's metrics.csv
 * per scrape. Times are the recorder's: milliseconds since the run's recorder started.
 */
import { parseExposition, SampleStore } from '@food/promql'
import type { MetricsTable } from './bundle/metric-columns.ts'
import type { FleetClient, Service } from './fleet-client.ts'
import type { Recorder } from './recorder.ts'

const SERVICES: Service[] = ['user', 'restaurant', 'order']

export interface Scraper {
  store: SampleStore
  /** Stops scraping (after one last scrape, so the record ends where the run does). */
  stop(): Promise<void>
}

/** Scrapes once now, then every `intervalMs`. */
export async function startScraper(
  client: FleetClient,
  recorder: Recorder,
  options: { intervalMs: number; metrics?: MetricsTable | undefined },
): Promise<Scraper> {
  const store = new SampleStore()
  const scrape = async () => {
    await Promise.all(
      SERVICES.map(async (service) => {
        const answer = await client.call(service, 'GET', '/metrics', { record: false })
        if (answer.status === 200 && typeof answer.body === 'string') {
          store.add(service, recorder.elapsedMs(), parseExposition(answer.body))
        }
      }),
    )
    options.metrics?.add(Date.now(), store, recorder.elapsedMs())
  }
  await scrape()
  const timer = setInterval(() => void scrape(), options.intervalMs)
  let stopped = false
  return {
    store,
    stop: async () => {
      if (stopped) return
      stopped = true
      clearInterval(timer)
      await scrape()
    },
  }
}
