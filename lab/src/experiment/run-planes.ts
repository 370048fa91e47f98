/**
 * What a run works with: the fleet's client and scrapes, the fault planes, and the observer of the
 * faults in force (docs/experiments.md#the-ground-truth-is-observed).
 */
import { ToxiproxyClient } from '@food/fault-proxy/toxiproxy-client'
import type { SampleStore } from '@food/promql'
import { AlertWebhook } from '../fleet/alert-webhook.ts'
import { AlertWatcher } from '../fleet/alerts.ts'
import { FleetClient } from '../fleet/fleet-client.ts'
import { Recorder } from '../fleet/recorder.ts'
import type { MetricsTable } from '../record/metric-columns.ts'
import type { RunContext } from './actions/action.ts'
import { type Engine, engineOf } from './engine.ts'
import { FaultLedger } from './fault-ledger.ts'
import { FaultObserver } from './fault-observer.ts'
import { checkFaults, edgesOfProxyAt, targetsOf } from './fleet-plane.ts'
import type { Journal } from './journal.ts'
import type { LoadedExperiment } from './load-file.ts'
import { ProcessFaults } from './process-faults.ts'
import { RedisPause } from './redis-pause.ts'
import { RowLocks } from './row-lock.ts'
import { startScraper } from './scraper.ts'
import { FaultSeeds } from './seeds.ts'

export interface PlaneOptions {
  scale: number
  serviceToken: string
  chaosToken?: string | undefined
  seed?: number | undefined
  scrapeIntervalMs?: number | undefined
  metrics?: MetricsTable | undefined
  onEvent?: ((message: string) => void) | undefined
}

export interface OpenRun {
  run: RunContext
  /** Every change of the fleet's alerts while the run went. */
  alerts: AlertWatcher
  /** Alertmanager's notifications, when the webhook could listen (alert_webhook). */
  webhook: AlertWebhook | undefined
  /** The scrapes, for the prometheus probes. */
  store: SampleStore
  /** Reads the planes back once more and reconciles the ledger with them. */
  sight(): Promise<void>
  /** No more sightings: the rollbacks change the faults from here on. */
  stopSighting(): void
  /** The scrapes stopped, every paused process resumed, the engine's connections closed. */
  close(): Promise<void>
}

/**
 * Opened before the run's hypothesis is first checked and closed after its rollbacks. The fault
 * planes: switches, the fault proxy, the container engine, Redis; the observer reads back, at every
 * scrape, the faults in force.
 */
export async function openRun(
  loaded: LoadedExperiment,
  options: PlaneOptions,
  journal: Journal,
  stopping: () => boolean,
): Promise<OpenRun> {
  const recorder = new Recorder()
  const targets = targetsOf(loaded.configuration)
  const client = new FleetClient(targets, recorder, options.chaosToken)
  const seconds = () => recorder.elapsedMs() / 1000
  const ledger = new FaultLedger(seconds)
  const intervalMs = options.scrapeIntervalMs ?? 1000
  const scraper = await startScraper(client, recorder, { intervalMs, metrics: options.metrics })
  const { available } = await checkFaults(loaded, client)
  const toxiproxyUrl = String(loaded.configuration.toxiproxy_url)
  const engine = engineOf(loaded.configuration)
  const run: RunContext = {
    experiment: loaded.experiment,
    configuration: loaded.configuration,
    scale: options.scale,
    serviceToken: options.serviceToken,
    client,
    recorder,
    ledger,
    available,
    proxy: new ToxiproxyClient(toxiproxyUrl, { timeoutMs: 10_000 }),
    processes: new ProcessFaults(engine, client, ledger, seconds, options.scale),
    redis: new RedisPause(String(loaded.configuration.redis_url)),
    locks: new RowLocks(String(loaded.configuration.postgres_url)),
    seeds: options.seed === undefined ? undefined : new FaultSeeds(options.seed),
    journal,
    seconds,
    say: (message) => options.onEvent?.(`[${seconds().toFixed(1).padStart(6)} s] ${message}`),
    stopping,
    load: undefined,
  }
  const observer = await observerOf(targets, toxiproxyUrl, engine, seconds)
  // The fleet's alerts as Prometheus evaluates them, read at every sighting too: the record's alerts.jsonl.
  const alerts = new AlertWatcher(String(loaded.configuration.prometheus_url), seconds)
  const sight = async () => ledger.reconcile(await observer.sight())
  // The first sighting says what was in force before the run: the run's conditions, not changes.
  await sight()
  const sightings = repeatEvery(intervalMs, sight)
  // On their own clock: a slow Prometheus never delays the faults' read-back.
  await alerts.read()
  const alertReadings = repeatEvery(intervalMs, () => alerts.read())
  const webhookAt = String(loaded.configuration.alert_webhook)
  const webhook = webhookAt === 'off' ? undefined : await AlertWebhook.listen(webhookAt, seconds, run.say)
  return {
    run,
    alerts,
    webhook,
    store: scraper.store,
    sight: async () => {
      await Promise.all([sight(), alerts.read()])
    },
    stopSighting: () => {
      sightings.stop()
      alertReadings.stop()
    },
    close: async () => {
      sightings.stop()
      alertReadings.stop()
      await scraper.stop()
      // A pause or a row lock outlasting the run ends with it.
      await run.processes.resumeAll().catch((error) => run.say(`resuming a paused service failed: ${error.message}`))
      await run.locks.releaseAll()
      await engine.close()
      await webhook?.close()
    },
  }
}

/** The ground truth is what the planes show, read back at every scrape, not what was asked of them. */
async function observerOf(
  targets: ReturnType<typeof targetsOf>,
  toxiproxyUrl: string,
  engine: Engine,
  seconds: () => number,
) {
  return new FaultObserver(
    targets,
    {
      toxiproxyUrl: (await edgesOfProxyAt(toxiproxyUrl)) ? toxiproxyUrl : undefined,
      engine: (await engine.answers()) ? engine : undefined,
    },
    seconds,
  )
}

/** Runs `task` every `intervalMs`, one at a time (a slow one is not overlapped), until stopped. */
function repeatEvery(intervalMs: number, task: () => Promise<void>): { stop(): void } {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    task()
      .catch(() => undefined)
      .finally(() => {
        running = false
      })
  }, intervalMs)
  return { stop: () => clearInterval(timer) }
}
