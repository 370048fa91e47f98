/**
 * Runs an experiment as Chaos Toolkit does: the steady-state hypothesis first (not met: stop,
 * nothing injected), then the method (background activities started and waited for at its end),
 * the hypothesis again during it (every `hypothesisFrequencyS`) and after it, and the rollbacks
 * always: after a failed action, a failed safeguard (status `interrupted`) or an abort (Ctrl-C).
 * The services' /metrics are scraped every second (scrapeIntervalMs) for the prometheus probes
 * and the run bundle's metrics.csv.
 */
import { hostname, platform, release } from 'node:os'
import type { ExperimentRun } from '@food/chaos'
import { evaluate, plainValue } from '@food/promql'
import { request } from 'undici'
import type { MetricsTable } from '../bundle/metric-columns.ts'
import { FleetClient } from '../fleet-client.ts'
import { checkInstantInvariants, checkInvariants } from '../invariants.ts'
import { type RunningLoad, startLoad } from '../load.ts'
import { LOAD_PROFILES } from '../load-profiles.ts'
import type { FaultWindow, JournalStatus } from '../phases.ts'
import { Recorder } from '../recorder.ts'
import { startScraper } from '../scraper.ts'
import { engineOf } from './engine.ts'
import { FaultLedger, parametersOf } from './fault-ledger.ts'
import { FaultObserver } from './fault-observer.ts'
import { checkFaults, edgesOfProxyAt, targetsOf, toxiproxy } from './fleet-plane.ts'
import { type ActionDefinition, type ActivityDefinition, type Experiment, SERVICES } from './format.ts'
import { type ActivityRun, finishJournal, type Journal, type SteadyState } from './journal.ts'
import type { LoadedExperiment } from './load-file.ts'
import { ProcessFaults } from './process-faults.ts'
import { RedisPause } from './redis-pause.ts'
import { FaultSeeds } from './seeds.ts'
import { shown } from './summary.ts'
import { terminateSessions } from './terminate-sessions.ts'
import { withinTolerance } from './tolerance.ts'

export interface ExperimentOptions {
  /** Multiplies every duration (pauses, the load's length, TTLs) and the load's virtual users. */
  scale: number
  hypothesisFrequencyS: number
  chaosToken?: string | undefined
  serviceToken: string
  /** Called with each step, for the CLI to print. */
  onEvent?: (message: string) => void
  /** Aborting it stops the run as Ctrl-C does: the method stops, the rollbacks run. */
  signal?: AbortSignal
  /** How often the services' /metrics are scraped (1 s by default). */
  scrapeIntervalMs?: number
  /** Given a row at every scrape: the run bundle's metrics.csv. */
  metrics?: MetricsTable
  /** Each fault set with a seed from this one: a replayed run's faults strike the same requests. */
  seed?: number | undefined
}

const VERSION = 'food-fleet-experiments 1 (Chaos Toolkit journal fields)'

/** Stops the run's method early; `status` is what the journal says. */
class Stop extends Error {
  constructor(
    readonly status: JournalStatus,
    message: string,
  ) {
    super(message)
  }
}

export async function runExperiment(loaded: LoadedExperiment, options: ExperimentOptions): Promise<Journal> {
  const { experiment } = loaded
  const recorder = new Recorder()
  const client = new FleetClient(targetsOf(loaded.configuration), recorder, options.chaosToken)
  const startedAt = new Date()
  const seconds = () => recorder.elapsedMs() / 1000
  const say = (message: string) => options.onEvent?.(`[${seconds().toFixed(1).padStart(6)} s] ${message}`)
  const ledger = new FaultLedger(seconds)
  const seeds = options.seed === undefined ? undefined : new FaultSeeds(options.seed)
  const journal: Journal = {
    'chaoslib-version': VERSION,
    platform: `${platform()} ${release()}`,
    node: hostname(),
    experiment,
    start: startedAt.toISOString(),
    end: '',
    duration: 0,
    seed: options.seed ?? null,
    status: 'completed',
    deviated: false,
    steady_states: { before: null, after: null, during: [] },
    run: [],
    rollbacks: [],
    interruption: null,
    fault_windows: [],
    phases: [],
    time_to_detect_s: null,
    time_to_recover_s: null,
    invariants: null,
    load: null,
    timeline: [],
  }
  let load: (RunningLoad & { untilMs?: number }) | undefined
  let stop: Stop | undefined
  const stopped = new AbortController()
  /** Resumes the processes this run paused: set once they can be; a paused service answers nothing. */
  let resumePaused = async (): Promise<unknown> => undefined
  let resuming: Promise<unknown> = Promise.resolve()
  const halt = (reason: Stop) => {
    if (stop) return
    stop = reason
    say(`stopping: ${reason.message}`)
    // First, so that the load's requests and the rollbacks' calls to it are answered.
    resuming = resumePaused().catch((error) => say(`resuming a paused service failed: ${error.message}`))
    load?.stop()
    stopped.abort()
  }
  const onAbort = () => halt(new Stop('aborted', 'aborted (Ctrl-C)'))
  options.signal?.addEventListener('abort', onAbort)
  // Interrupted while the CLI was still getting ready: the method does not begin.
  if (options.signal?.aborted) onAbort()

  /** Waits; in the method, only until the run is stopping (a rollback's pauses are kept). */
  const pause = (s: number, abortable = true) =>
    new Promise<void>((resolve) => {
      if ((abortable && stopped.signal.aborted) || s <= 0) return resolve()
      const cut = () => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(
        () => {
          stopped.signal.removeEventListener('abort', cut)
          resolve()
        },
        s * options.scale * 1000,
      )
      if (abortable) stopped.signal.addEventListener('abort', cut, { once: true })
    })

  const scraper = await startScraper(client, recorder, {
    intervalMs: options.scrapeIntervalMs ?? 1000,
    metrics: options.metrics,
  })
  const store = scraper.store
  const { available } = await checkFaults(loaded, client)
  const toxiproxyUrl = String(loaded.configuration.toxiproxy_url)
  const engine = engineOf(loaded.configuration)
  const processes = new ProcessFaults(engine, client, ledger, seconds, options.scale)
  resumePaused = () => processes.resumeAll()
  const redis = new RedisPause(String(loaded.configuration.redis_url))
  // The ground truth is what the planes show, read back at every scrape, not what was asked of them.
  const observer = new FaultObserver(
    targetsOf(loaded.configuration),
    {
      toxiproxyUrl: (await edgesOfProxyAt(toxiproxyUrl)) ? toxiproxyUrl : undefined,
      engine: (await engine.answers()) ? engine : undefined,
    },
    seconds,
  )
  const sight = async () => ledger.reconcile(await observer.sight())
  // The first sighting says what was in force before the run: the run's conditions, not changes.
  await sight()
  const sightings = repeatEvery(options.scrapeIntervalMs ?? 1000, sight)

  const closeWindows = (service: string | undefined, endedBy: FaultWindow['ended_by'], fault?: string) =>
    ledger.close(seconds(), service, endedBy, fault)

  const execute = async (activity: ActivityDefinition): Promise<unknown> => {
    const provider = activity.provider
    switch (provider.type) {
      case 'http': {
        const answer = await request(provider.url, {
          method: provider.method ?? 'GET',
          headers: {
            ...(provider.arguments === undefined ? {} : { 'content-type': 'application/json' }),
            ...provider.headers,
          },
          body: provider.arguments === undefined ? null : JSON.stringify(provider.arguments),
          headersTimeout: (provider.timeout ?? 5) * 1000,
          bodyTimeout: (provider.timeout ?? 5) * 1000,
        })
        const text = await answer.body.text()
        let body: unknown = text
        try {
          body = JSON.parse(text)
        } catch {}
        if (activity.type === 'action' && answer.statusCode >= 400) {
          throw new Error(
            `${provider.method ?? 'GET'} ${provider.url} answered ${answer.statusCode}: ${text.slice(0, 200)}`,
          )
        }
        return { status: answer.statusCode, headers: answer.headers, body }
      }
      case 'prometheus':
        return plainValue(evaluate(provider.query, store))
      case 'invariants': {
        // Before a load there is nothing to check; while it runs, what holds at every instant;
        // once it is done, everything, after its orders have settled.
        const settleTimeoutS = provider.settle_timeout_s ?? 60
        if (load?.untilMs !== undefined)
          say(`waiting for the load's orders to settle (at most ${settleTimeoutS} s), then checking the invariants`)
        const invariants = !load
          ? []
          : load.untilMs === undefined
            ? await checkInstantInvariants(client, { menuId: load.menuId, initialStock: load.stock })
            : await checkInvariants(client, {
                users: load.users,
                menuId: load.menuId,
                initialStock: load.stock,
                settleTimeoutS,
              })
        if (load?.untilMs !== undefined) journal.invariants = invariants
        return {
          ok: invariants.every((invariant) => invariant.ok),
          broken: invariants.filter((invariant) => !invariant.ok).map((invariant) => invariant.name),
          checked: !load
            ? 'no load yet'
            : load.untilMs === undefined
              ? 'while the load runs'
              : 'after the load, settled',
          invariants,
        }
      }
      case 'fleet':
        return executeFleet(provider)
    }
  }

  const executeFleet = async (provider: ActionDefinition['provider'] & { type: 'fleet' }): Promise<unknown> => {
    if (provider.action === 'fault') {
      const chaos = available.get(provider.service)?.find((s) => s.name === provider.fault)
      if (!chaos) throw new Error(`the ${provider.service} service has no fault ${provider.fault}`)
      const ttl = Math.max(1, Math.round((provider.ttl_s ?? totalSeconds(experiment) + 60) * options.scale))
      const seed = seeds?.next(provider.service, provider.fault)
      // A window opens when the fault was asked for, not when the answer came back: the service
      // applies it before it answers, and a request begun in between is already in the fault's
      // window (phases split the load at from_s; the baseline keeps only what was in flight).
      const asked = seconds()
      const answer = await ledger.whileChanging(provider.service, provider.fault, () =>
        client.call(provider.service, 'POST', chaos.route, {
          json: { [chaos.field]: provider.value, ttl_s: ttl, ...(seed === undefined ? {} : { seed }) },
          record: false,
        }),
      )
      if (answer.status !== 200)
        throw new Error(`POST ${chaos.route} answered ${answer.status}: ${JSON.stringify(answer.body)}`)
      closeWindows(provider.service, 'switched off', provider.fault)
      if (provider.value !== 0 && provider.value !== false) {
        ledger.open(
          {
            service: provider.service,
            fault: provider.fault,
            value: provider.value,
            parameters: parametersOf({ ...provider, ttl_s: ttl, ...(seed === undefined ? {} : { seed }) }),
            from_s: asked,
          },
          seconds() + ttl,
        )
      }
      return answer.body
    }
    if (provider.action === 'toxic' || provider.action === 'edge-down') {
      const ttl = Math.max(1, Math.round((provider.ttl_s ?? totalSeconds(experiment) + 60) * options.scale))
      const path = `/proxies/${encodeURIComponent(provider.edge)}`
      const fault = provider.action === 'toxic' ? provider.toxic : 'down'
      const asked = seconds()
      const answer = await ledger.whileChanging(provider.edge, fault, () =>
        provider.action === 'toxic'
          ? toxiproxy(toxiproxyUrl, `${path}/toxics`, {
              name: `${provider.toxic}_${provider.stream ?? 'downstream'}`,
              type: provider.toxic,
              stream: provider.stream ?? 'downstream',
              toxicity: provider.toxicity ?? 1,
              attributes: provider.attributes ?? {},
              ttl_s: ttl,
            })
          : toxiproxy(toxiproxyUrl, path, { enabled: false, ttl_s: ttl }),
      )
      closeWindows(provider.edge, 'switched off', fault)
      const value = provider.action === 'toxic' ? (Object.values(provider.attributes ?? {})[0] ?? true) : true
      ledger.open(
        {
          service: provider.edge,
          fault,
          value,
          parameters: parametersOf({ ...provider, ttl_s: ttl }),
          from_s: asked,
        },
        seconds() + ttl,
        provider.action === 'toxic' ? (answer as { name: string }).name : undefined,
      )
      return answer
    }
    if (provider.action === 'kill' || provider.action === 'pause' || provider.action === 'restart') {
      return processes.execute(provider)
    }
    if (provider.action === 'redis-pause') {
      const durationS = provider.duration_s * options.scale
      const asked = seconds()
      const answer = await redis.pause(durationS, provider.mode)
      ledger.open(
        {
          service: 'redis',
          fault: 'client-pause',
          value: provider.duration_s,
          parameters: parametersOf({ ...provider, duration_s: durationS }),
          from_s: asked,
        },
        seconds() + durationS,
      )
      return answer
    }
    if (provider.action === 'terminate-sessions') {
      const at = seconds()
      const terminated = await terminateSessions(
        String(loaded.configuration.postgres_url),
        provider.service,
        provider.database,
      )
      // An instant, not a window: the pool makes new connections at once.
      ledger.open(
        {
          service: `${provider.service}-postgres`,
          fault: 'terminate-sessions',
          value: terminated,
          parameters: parametersOf(provider),
          from_s: at,
        },
        at,
      )
      return { terminated }
    }
    if (provider.action === 'clear-faults') {
      // What this run set, and only that: another client's faults on the fleet are not this run's to clear.
      const { cleared, failures } = await undoOwnFaults(provider.service)
      const resumed: string[] = provider.service ? [] : await processes.resumeAll()
      if (!provider.service && (await redis.unpause())) {
        closeWindows('redis', 'cleared')
        resumed.push('redis')
      }
      if (failures.length > 0) throw new Error(`could not undo ${failures.join('; ')}`)
      return { cleared, resumed }
    }
    if (load) throw new Error('a load is already running')
    const durationS = provider.duration_s * options.scale
    const concurrency = Math.max(1, Math.round(provider.concurrency * Math.min(options.scale, 1)))
    load = await startLoad(client, recorder, {
      name: experiment.title.slice(0, 40),
      iteration: LOAD_PROFILES[provider.profile].iteration,
      stock: provider.stock ?? 100_000,
      concurrency,
      durationMs: durationS * 1000,
      maxRequests: provider.max_requests ?? 1_000_000,
      serviceToken: options.serviceToken,
    })
    const running = load
    // The run may have been told to stop while the load was still making its users.
    if (stop) running.stop()
    void running.done.then(() => {
      running.untilMs = recorder.elapsedMs()
    })
    journal.load = {
      profile: provider.profile,
      concurrency,
      duration_s: durationS,
      menu_id: load.menuId,
      users: load.users.length,
    }
    say(`load: ${provider.profile}, ${concurrency} users for ${durationS} s`)
    await load.done
    return { menu_id: running.menuId, users: running.users.length, requests: recorder.samples.length }
  }

  /** Switches off this run's switches in force (of one service if named) and, for all, its toxics and downed edges. */
  const undoOwnFaults = async (only?: string): Promise<{ cleared: string[]; failures: string[] }> => {
    const cleared: string[] = []
    const failures: string[] = []
    for (const window of ledger.inForce(seconds())) {
      if (only !== undefined && window.service !== only) continue
      const done = ledger.changing(window.service, window.fault)
      try {
        if (!(await undoOne(window, only))) continue
        closeWindows(window.service, 'cleared', window.fault)
        cleared.push(`${window.service} ${window.fault}`)
      } catch (error) {
        // One that cannot be undone does not keep the others in force.
        failures.push(`${window.service} ${window.fault}: ${(error as Error).message}`)
      } finally {
        done()
      }
    }
    return { cleared, failures }
  }

  /** Undoes one fault of this run; false when it is not one to undo (a process's, or another service's edges). */
  const undoOne = async (window: ReturnType<FaultLedger['inForce']>[number], only?: string): Promise<boolean> => {
    const chaos = available.get(window.service as (typeof SERVICES)[number])?.find((s) => s.name === window.fault)
    if (chaos) {
      const off = typeof window.value === 'boolean' ? false : 0
      const answer = await client.call(window.service as (typeof SERVICES)[number], 'POST', chaos.route, {
        json: { [chaos.field]: off },
        record: false,
      })
      if (answer.status !== 200)
        throw new Error(`POST ${chaos.route} answered ${answer.status}: ${JSON.stringify(answer.body)}`)
    } else if (only === undefined && window.fault === 'down') {
      await toxiproxy(toxiproxyUrl, `/proxies/${encodeURIComponent(window.service)}`, { enabled: true })
    } else if (only === undefined && window.ident !== undefined) {
      const path = `/proxies/${encodeURIComponent(window.service)}/toxics/${encodeURIComponent(window.ident)}`
      await toxiproxy(toxiproxyUrl, path, undefined, 'DELETE')
    } else return false
    return true
  }

  /** Runs one activity with its pauses; never throws: a failure is in the run's status. */
  const runActivity = async (
    activity: ActivityDefinition,
    abortablePauses = true,
    announce?: string,
  ): Promise<ActivityRun> => {
    await pause(activity.pauses?.before ?? 0, abortablePauses)
    if (announce) say(announce)
    const start = new Date()
    let run: ActivityRun
    try {
      const output = await execute(activity)
      run = { activity, status: 'succeeded', output, start: start.toISOString(), end: '', duration: 0 }
    } catch (error) {
      run = {
        activity,
        status: 'failed',
        exception: [String((error as Error).message ?? error)],
        start: start.toISOString(),
        end: '',
        duration: 0,
      }
    }
    const end = new Date()
    run.end = end.toISOString()
    run.duration = (end.getTime() - start.getTime()) / 1000
    await pause(activity.pauses?.after ?? 0, abortablePauses)
    return run
  }

  const checkProbes = async (probes: (ActivityDefinition & { tolerance: unknown })[]): Promise<SteadyState> => {
    const at_s = seconds()
    const runs: ActivityRun[] = []
    for (const probe of probes) {
      const run = await runActivity({ ...probe, pauses: undefined } as ActivityDefinition)
      run.activity = probe
      run.tolerance_met = run.status === 'succeeded' && withinTolerance(probe.tolerance as never, run.output)
      runs.push(run)
    }
    return { steady_state_met: runs.every((run) => run.tolerance_met), probes: runs, at_s: Math.round(at_s * 10) / 10 }
  }
  const hypothesis = experiment['steady-state-hypothesis']
  const checkHypothesis = async () => (hypothesis ? checkProbes(hypothesis.probes) : null)

  // The chaos console shows the run from each service's GET /chaos; it lapses if this process dies.
  let lastState: SteadyState | null = null
  const publish = async (step: ExperimentRun['step']) => {
    const now = seconds()
    const open = ledger.anyOpen(now)
    const run: ExperimentRun = {
      title: experiment.title.slice(0, 200),
      step,
      phase: open ? 'fault' : ledger.count > 0 ? 'recovery' : 'baseline',
      elapsed_s: Math.round(now * 10) / 10,
      deviated: journal.steady_states.during.some((state) => !state.steady_state_met),
      probes: (hypothesis?.probes ?? []).slice(0, 50).map((probe, i) => {
        const last = lastState?.probes[i]
        return {
          name: probe.name.slice(0, 200),
          value: last ? shown(last).slice(0, 200) : 'not checked yet',
          met: last?.tolerance_met ?? null,
        }
      }),
    }
    const ttl_s = Math.ceil(options.hypothesisFrequencyS * 3) + 10
    await Promise.all(
      SERVICES.map((service) => client.call(service, 'PUT', '/chaos/run', { json: { run, ttl_s }, record: false })),
    )
  }

  let exitedBeforeMethod = false
  try {
    say(`experiment: ${experiment.title}`)
    await publish('steady state before')
    journal.steady_states.before = await checkHypothesis()
    lastState = journal.steady_states.before
    await publish('method')
    if (journal.steady_states.before && !journal.steady_states.before.steady_state_met) {
      say('the steady state is not met before the method: nothing is injected')
      journal.status = 'failed'
      exitedBeforeMethod = true
      return journal
    }
    for (const safeguard of experiment.safeguards ?? []) {
      const state = await checkProbes([safeguard])
      if (!state.steady_state_met)
        halt(new Stop('interrupted', `safeguard "${safeguard.name}" failed before the method`))
    }

    // During the method: the hypothesis and each safeguard on their own clocks, each check
    // waiting for the one before it.
    let methodDone = false
    const every = async (intervalS: number, check: () => Promise<void>) => {
      while (!methodDone && !stop) {
        await pause(intervalS / options.scale)
        if (methodDone || stop) return
        await check()
      }
    }
    const loops = [
      ...(hypothesis
        ? [
            every(options.hypothesisFrequencyS, async () => {
              const state = await checkProbes(hypothesis.probes)
              journal.steady_states.during.push(state)
              lastState = state
              await publish('method')
              if (!state.steady_state_met) {
                const failing = state.probes.filter((p) => !p.tolerance_met).map((p) => p.activity.name)
                say(`hypothesis not met: ${failing.join(', ')}`)
              }
            }),
          ]
        : []),
      ...(experiment.safeguards ?? []).map((safeguard) =>
        every(safeguard.frequency ?? options.hypothesisFrequencyS, async () => {
          const state = await checkProbes([safeguard])
          if (!state.steady_state_met) halt(new Stop('interrupted', `safeguard "${safeguard.name}" failed`))
        }),
      ),
    ]

    const background: Promise<void>[] = []
    try {
      for (const activity of experiment.method) {
        if (stop) break
        const announce = `${activity.type}: ${activity.name}${activity.background ? ' (in the background)' : ''}`
        if (activity.pauses?.before) say(`waiting ${activity.pauses.before * options.scale} s before ${activity.name}`)
        const running = runActivity(activity, true, announce).then((run) => {
          journal.run.push(run)
          if (run.status === 'failed') {
            say(`${activity.name} failed: ${run.exception?.join(' ')}`)
            if (activity.type === 'action') halt(new Stop('failed', `action "${activity.name}" failed`))
          }
        })
        if (activity.background) background.push(running)
        else await running
      }
      await Promise.all(background)
    } finally {
      methodDone = true
      stopped.abort()
      await Promise.all(loops)
    }
    if (!stop) {
      say('hypothesis after the method')
      await publish('steady state after')
      journal.steady_states.after = await checkHypothesis()
      lastState = journal.steady_states.after
    }
    return journal
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    // A paused service answers nothing: resumed before the rollbacks call it.
    await resuming
    if (stop) await processes.resumeAll().catch((error) => say(`resuming a paused service failed: ${error.message}`))
    // Once more while the faults should still be in force, then no more: the rollbacks change them.
    await sight().catch(() => undefined)
    sightings.stop()
    if (!exitedBeforeMethod) {
      // The rollbacks run whatever happened, their pauses kept.
      if ((experiment.rollbacks ?? []).length > 0) await publish('rollbacks')
      for (const rollback of experiment.rollbacks ?? []) {
        say(`rollback: ${rollback.name}`)
        journal.rollbacks.push(await runActivity(rollback, false))
      }
    }
    await scraper.stop()
    // A pause outlasting the run ends with it.
    await processes.resumeAll().catch((error) => say(`resuming a paused service failed: ${error.message}`))
    await engine.close()
    await Promise.all(SERVICES.map((service) => client.call(service, 'DELETE', '/chaos/run', { record: false })))
    closeWindows(undefined, 'still on at the end')
    finishJournal(journal, {
      stop,
      windows: ledger.windows(),
      samples: recorder.samples,
      load: load ? { fromMs: load.startedAtMs, untilMs: load.untilMs ?? recorder.elapsedMs() } : null,
      endedAt: new Date(),
    })
    const tampering = ledger.tampering()
    if (tampering.length > 0) {
      journal.status = 'invalid'
      journal.invalid_because = tampering
      for (const reason of tampering) say(`not valid evidence: ${reason}`)
    }
    await client.close()
  }
}

/** The length of the method as written, in seconds: pauses and loads (a default TTL outlasts it). */
function totalSeconds(experiment: Experiment): number {
  return experiment.method.reduce((sum, activity) => {
    const pauses = (activity.pauses?.before ?? 0) + (activity.pauses?.after ?? 0)
    const load =
      activity.provider.type === 'fleet' && activity.provider.action === 'load' ? activity.provider.duration_s : 0
    return sum + pauses + load
  }, 0)
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
