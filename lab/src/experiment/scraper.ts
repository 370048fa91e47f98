/**
 * The services' /metrics scraped while a run goes, as Prometheus would: for the prometheus probes
 * and the record's metrics.csv (docs/experiments.md#the-run).
 */
import { FLEET_SERVICES } from '@food/config'
import { parseExposition, SampleStore } from '@food/promql'
import type { FleetClient } from '../fleet/fleet-client.ts'
import type { Recorder } from '../fleet/recorder.ts'
import type { MetricsTable } from '../record/metric-columns.ts'

export interface Scraper {
  store: SampleStore
  /** Stops scraping (after one last scrape, so the record ends where the run does). */
  stop(): Promise<void>
}

/**
 * Scrapes once now, then every `intervalMs`, into a SampleStore (what an experiment's prometheus
 * probes query) and, when given, a row of the record's metrics.csv per scrape. Times are the
 * recorder's: milliseconds since the run's recorder started. Each scrape also gives Prometheus' own
 * series of it, `up` (1: answered, 0: not) and `scrape_duration_seconds`, kept under a target of
 * their own (`<service>:scrape`) so that a failed scrape leaves the service's counters as they were
 * instead of restarting them.
 */
export async function startScraper(
  client: FleetClient,
  recorder: Recorder,
  options: { intervalMs: number; metrics?: MetricsTable | undefined },
): Promise<Scraper> {
  const store = new SampleStore()
  const scrape = async () => {
    await Promise.all(
      FLEET_SERVICES.map(async (service) => {
        const started = performance.now()
        const answer = await client.call(service, 'GET', '/metrics', { record: false })
        const up = answer.status === 200 && typeof answer.body === 'string'
        const at = recorder.elapsedMs()
        if (up) store.add(service, at, parseExposition(answer.body as string))
        store.add(`${service}:scrape`, at, [
          { name: 'up', labels: { service }, value: up ? 1 : 0 },
          { name: 'scrape_duration_seconds', labels: { service }, value: (performance.now() - started) / 1000 },
        ])
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
