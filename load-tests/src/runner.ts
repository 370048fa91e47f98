import type { MetricsTable } from './bundle/metric-columns.ts'
import { FleetClient, type Service } from './fleet-client.ts'
import { checkInvariants, type InvariantResult } from './invariants.ts'
import { type RunningLoad, startLoad } from './load.ts'
import { type FaultWindow, type PhaseVerdict, phasesOf } from './phases.ts'
import { countBy, groupBy, Recorder, type SecondOfRun, summarise, timelineOf } from './recorder.ts'
import type { Scenario } from './scenario.ts'
import { startScraper } from './scraper.ts'
import { assertLoopback, type Targets } from './targets.ts'

export interface RunOptions {
  targets: Targets
  durationS: number
  concurrency: number
  /** The run stops at this many requests even before its duration is up. */
  maxRequests: number
  /** How long to wait for failed orders to be released (the recoverer's timeout and more). */
  settleTimeoutS: number
  /** The fleet's CHAOS_TOKEN, when it has one (a fleet listening beyond loopback, docker compose). */
  chaosToken?: string | undefined
  /** The fleet's SERVICE_TOKEN: the scenario's menu is made through the restaurant's internal route. */
  serviceToken: string
  /** Called about once a second with the run's progress (the CLI prints it on a TTY). */
  onProgress?: (progress: { elapsedS: number; requests: number; errors: number }) => void
  /** Given a row at every scrape of the services' /metrics (every second): the record's metrics.csv. */
  metrics?: MetricsTable | undefined
  /** Aborting it stops the run as an interruption does: the load stops, the faults go, no settling. */
  signal?: AbortSignal | undefined
  /** Called with what the run waits for, for the CLI to print. */
  onEvent?: ((message: string) => void) | undefined
}

export interface ChaosWindow {
  service: Service
  fault: string
  value: number | boolean
  fromS: number
  untilS: number
}

export interface RunReport {
  scenario: string
  description: string
  startedAt: string
  durationS: number
  concurrency: number
  requests: number
  throughputRps: number
  latencyMs: ReturnType<typeof summarise>
  endpoints: Record<string, ReturnType<typeof summarise> & { statuses: Record<string, number> }>
  statuses: Record<string, number>
  reasons: Record<string, number>
  cache: { hits: number; misses: number; hitRatio: number | null }
  chaos: ChaosWindow[]
  /** How many requests took up to each bound (ms); the last bound is Infinity. */
  histogram: { upToMs: number; count: number }[]
  /** One point a second: requests, errors (5xx or no answer) and latency. */
  timeline: SecondOfRun[]
  invariants: InvariantResult[]
  /** Baseline, fault and recovery, as an experiment's journal splits its load (seconds from `startedAt`). */
  phases: PhaseVerdict[]
  ok: boolean
  /** `aborted`: interrupted (its invariants not checked: the load was cut short). */
  status: 'completed' | 'aborted'
}

/** Switches off the faults this run set (not another client's): at the end, on error, on an interruption. */
const switchOff = (switches: Map<string, () => Promise<unknown>>) =>
  Promise.all([...switches.values()].map((off) => off().catch(() => undefined)))

/**
 * Runs a scenario against the fleet: sets up its own users and menu, applies its faults on
 * schedule, drives `concurrency` virtual users for `durationS` (or `maxRequests`), always clears
 * the faults, then reads back the invariants. `ok` is false when any invariant broke.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunReport> {
  assertLoopback(options.targets)
  const recorder = new Recorder()
  const client = new FleetClient(options.targets, recorder, options.chaosToken)
  const timers: NodeJS.Timeout[] = []
  const windows: ChaosWindow[] = []
  let load: RunningLoad | undefined
  /** How to switch off each fault this run set, by `service/fault`. */
  const switches = new Map<string, () => Promise<unknown>>()
  const onAbort = () => {
    options.onEvent?.("interrupted: stopping the load and switching this run's faults off")
    load?.stop()
    for (const timer of timers) clearTimeout(timer)
    const now = load ? (recorder.elapsedMs() - load.startedAtMs) / 1000 : 0
    for (const window of windows) if (window.untilS === 0) window.untilS = now
    void switchOff(switches)
  }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  const scraper = options.metrics
    ? await startScraper(client, recorder, { intervalMs: options.metrics.intervalMs, metrics: options.metrics })
    : undefined
  try {
    const durationMs = options.durationS * 1000
    load = await startLoad(client, recorder, {
      name: scenario.name,
      iteration: scenario.iteration,
      stock: scenario.stock,
      concurrency: options.concurrency,
      durationMs,
      maxRequests: options.maxRequests,
      serviceToken: options.serviceToken,
    })
    // Interrupted while the load was still making its users.
    if (options.signal?.aborted) load.stop()
    const startedAt = new Date()
    const runStart = load.startedAtMs

    // Each fault's switch (its route and field) as the service names it in GET /chaos.
    const available = new Map<string, { name: string; route: string; field: string }[]>()
    for (const service of new Set(scenario.chaos.map((step) => step.service))) {
      available.set(service, (await client.call(service, 'GET', '/chaos', { record: false })).body?.available ?? [])
    }
    for (const step of scenario.chaos) {
      const chaos = available.get(step.service)?.find((s) => s.name === step.fault)
      if (!chaos) throw new Error(`the ${step.service} service has no fault ${step.fault} (is CHAOS_ENABLED on?)`)
      const window: ChaosWindow = { service: step.service, fault: step.fault, value: step.value, fromS: 0, untilS: 0 }
      const set = (value: number | boolean) =>
        client.call(step.service, 'POST', chaos.route, {
          // The TTL clears the fault by itself even if this process dies.
          json: { [chaos.field]: value, ...(value ? { ttl_s: options.durationS + 60 } : {}) },
          record: false,
        })
      // Off only once its "on" has landed: an off sent first would leave it on until its TTL.
      let on: Promise<unknown> = Promise.resolve()
      const off = () => on.catch(() => undefined).then(() => set(typeof step.value === 'boolean' ? false : 0))
      timers.push(
        setTimeout(async () => {
          window.fromS = (recorder.elapsedMs() - runStart) / 1000
          switches.set(`${step.service}/${step.fault}`, off)
          on = set(step.value)
          await on
        }, step.from * durationMs),
        setTimeout(async () => {
          window.untilS = (recorder.elapsedMs() - runStart) / 1000
          await off()
        }, Math.min(step.until, 1) * durationMs),
      )
      windows.push(window)
    }

    const progress = setInterval(() => {
      const samples = recorder.samples
      options.onProgress?.({
        elapsedS: Math.round((recorder.elapsedMs() - runStart) / 1000),
        requests: samples.length,
        errors: samples.filter((sample) => sample.status >= 500 || sample.status === 0).length,
      })
    }, 1000)
    await load.done
    clearInterval(progress)
    await scraper?.stop()
    for (const timer of timers) clearTimeout(timer)
    const runSeconds = (recorder.elapsedMs() - runStart) / 1000
    for (const window of windows) if (window.untilS === 0) window.untilS = runSeconds
    await switchOff(switches)
    // A fault whose time had not come when the run was interrupted was never applied.
    const applied = windows.filter((window) => switches.has(`${window.service}/${window.fault}`))

    const aborted = options.signal?.aborted === true
    if (!aborted) {
      options.onEvent?.(
        `load done: waiting for its orders to settle (at most ${options.settleTimeoutS} s), then checking the invariants`,
      )
    }
    const invariants = aborted
      ? []
      : await checkInvariants(client, {
          users: load.users,
          menuId: load.menuId,
          initialStock: scenario.stock,
          settleTimeoutS: options.settleTimeoutS,
        })
    const cached = recorder.samples.filter((sample) => sample.cache)
    const hits = cached.filter((sample) => sample.cache === 'HIT').length
    const hitRatio = cached.length > 0 ? hits / cached.length : null
    if (scenario.minCacheHitRatio !== undefined) {
      invariants.push({
        name: `cache answers at least ${scenario.minCacheHitRatio * 100}% of repeated reads`,
        ok: hitRatio !== null && hitRatio >= scenario.minCacheHitRatio,
        detail: `${hits} of ${cached.length} reads were HIT`,
      })
    }
    return buildReport(scenario, options, recorder, {
      aborted,
      startedAt,
      runStart,
      runSeconds,
      windows: applied,
      invariants,
      hits,
      misses: cached.length - hits,
      hitRatio,
    })
  } finally {
    await scraper?.stop()
    for (const timer of timers) clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    await switchOff(switches)
    await client.close()
  }
}

function buildReport(
  scenario: Scenario,
  options: RunOptions,
  recorder: Recorder,
  run: {
    aborted: boolean
    startedAt: Date
    /** When the load began, on the recorder's clock. */
    runStart: number
    runSeconds: number
    windows: ChaosWindow[]
    invariants: InvariantResult[]
    hits: number
    misses: number
    hitRatio: number | null
  },
): RunReport {
  const samples = recorder.samples
  const byEndpoint = groupBy(samples, (sample) => sample.endpoint)
  return {
    scenario: scenario.name,
    description: scenario.description,
    startedAt: run.startedAt.toISOString(),
    durationS: Math.round(run.runSeconds * 10) / 10,
    concurrency: options.concurrency,
    requests: samples.length,
    throughputRps: Math.round((samples.length / Math.max(run.runSeconds, 0.001)) * 10) / 10,
    latencyMs: summarise(samples.map((sample) => sample.latencyMs)),
    endpoints: Object.fromEntries(
      Object.entries(byEndpoint).map(([endpoint, list]) => [
        endpoint,
        {
          ...summarise(list.map((sample) => sample.latencyMs)),
          statuses: countBy(list, (sample) => String(sample.status)),
        },
      ]),
    ),
    statuses: countBy(samples, (sample) => String(sample.status)),
    reasons: countBy(samples, (sample) => sample.reason),
    cache: { hits: run.hits, misses: run.misses, hitRatio: run.hitRatio },
    chaos: run.windows,
    histogram: histogram(samples.map((sample) => sample.latencyMs)),
    timeline: timelineOf(samples),
    invariants: run.invariants,
    phases: phasesOf(
      samples.map((sample) => ({ ...sample, at: sample.at - run.runStart })),
      { fromMs: 0, untilMs: run.runSeconds * 1000 },
      faultWindowsOf(run.windows),
      [],
    ),
    ok: !run.aborted && run.invariants.every((invariant) => invariant.ok),
    status: run.aborted ? 'aborted' : 'completed',
  }
}

/** A scenario's faults as an experiment's ledger keeps them: each switched off at its end. */
export const faultWindowsOf = (windows: ChaosWindow[]): FaultWindow[] =>
  windows.map(({ service, fault, value, fromS, untilS }) => ({
    service,
    fault,
    value,
    from_s: Math.round(fromS * 10) / 10,
    until_s: Math.round(untilS * 10) / 10,
    ended_by: 'switched off',
  }))

const HISTOGRAM_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, Number.POSITIVE_INFINITY]

function histogram(latencies: number[]): { upToMs: number; count: number }[] {
  const counts = HISTOGRAM_BOUNDS_MS.map(() => 0)
  for (const latency of latencies) {
    const index = HISTOGRAM_BOUNDS_MS.findIndex((bound) => latency <= bound)
    counts[index] = (counts[index] ?? 0) + 1
  }
  return HISTOGRAM_BOUNDS_MS.map((upToMs, i) => ({ upToMs, count: counts[i] ?? 0 }))
}
