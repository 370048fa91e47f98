/**
 * Runs an experiment as Chaos Toolkit does (docs/experiments.md#the-run): the steady-state hypothesis
 * first (not met: stop, nothing injected), then the method, the hypothesis during it and after it,
 * and the rollbacks always: after a failed action, a failed safeguard or an abort (Ctrl-C).
 */
import { hostname, platform, release } from 'node:os'
import type { ExperimentRun } from '@food/chaos'
import { firstPageAfter } from '../fleet/alerts.ts'
import { budgetsBurned } from '../fleet/slo-budget.ts'
import type { JournalStatus } from '../load/phases.ts'
import type { MetricsTable } from '../record/metric-columns.ts'
import type { RunContext } from './actions/action.ts'
import { executeActivity } from './activity.ts'
import { publishRun, unpublishRun } from './console-board.ts'
import type { ActivityDefinition, Experiment } from './format.ts'
import { type ActivityRun, finishJournal, type Journal, type SteadyState } from './journal.ts'
import type { LoadedExperiment } from './load-file.ts'
import { type OpenRun, openRun } from './run-planes.ts'
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
  /** Aborting it ends the method early as done (the alert a coverage run waits for came): its reason is said. */
  end?: AbortSignal
  /** How often the services' /metrics are scraped (1 s by default): the prometheus probes, the record's metrics.csv. */
  scrapeIntervalMs?: number
  /** Given a row at every scrape: the run record's metrics.csv. */
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

type Probe = ActivityDefinition & { tolerance: unknown }

export async function runExperiment(loaded: LoadedExperiment, options: ExperimentOptions): Promise<Journal> {
  const { experiment } = loaded
  const journal = newJournal(experiment, options.seed)
  let stop: Stop | undefined
  const opened = await openRun(loaded, options, journal, () => stop !== undefined)
  const { run } = opened
  const stopped = new AbortController()
  let resuming: Promise<unknown> = Promise.resolve()
  const halt = (reason: Stop) => {
    if (stop) return
    stop = reason
    run.say(`stopping: ${reason.message}`)
    // First, so that the load's requests and the rollbacks' calls to it are answered.
    resuming = run.processes.resumeAll().catch((error) => run.say(`resuming a paused service failed: ${error.message}`))
    run.load?.stop()
    stopped.abort()
  }
  const onAbort = () => halt(new Stop('aborted', 'aborted (Ctrl-C)'))
  options.signal?.addEventListener('abort', onAbort)
  const onEnd = () => halt(new Stop('completed', String(options.end?.reason ?? 'ended early')))
  options.end?.addEventListener('abort', onEnd, { once: true })
  // Interrupted while the CLI was still getting ready: the method does not begin.
  if (options.signal?.aborted) onAbort()

  const steps = runSteps(run, opened, options, stopped.signal)
  let exitedBeforeMethod = false
  try {
    run.say(`experiment: ${experiment.title}`)
    journal.steady_states.before = await steps.hypothesis('steady state before')
    await steps.publish('method')
    if (journal.steady_states.before && !journal.steady_states.before.steady_state_met) {
      run.say('the steady state is not met before the method: nothing is injected')
      journal.status = 'failed'
      exitedBeforeMethod = true
      return journal
    }
    for (const safeguard of experiment.safeguards ?? []) {
      if (!(await steps.probes([safeguard])).steady_state_met)
        halt(new Stop('interrupted', `safeguard "${safeguard.name}" failed before the method`))
    }
    await runMethod(run, steps, options, { stop: () => stop, halt, stopped })
    if (!stop) {
      run.say('hypothesis after the method')
      journal.steady_states.after = await steps.hypothesis('steady state after')
    }
    return journal
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    options.end?.removeEventListener('abort', onEnd)
    // A paused service answers nothing: resumed before the rollbacks call it.
    await resuming
    if (stop)
      await run.processes.resumeAll().catch((error) => run.say(`resuming a paused service failed: ${error.message}`))
    // Once more while the faults should still be in force, then no more: the rollbacks change them.
    await opened.sight().catch(() => undefined)
    opened.stopSighting()
    if (!exitedBeforeMethod) await runRollbacks(experiment, steps, run)
    await opened.close()
    await unpublishRun(run)
    await closeRun(run, stop)
    const firstFault = Math.min(
      ...journal.fault_windows.filter((window) => !window.foreign).map((window) => window.from_s),
    )
    const notified = opened.webhook?.notifications ?? []
    journal.alerts = [...opened.alerts.changes, ...notified].sort((a, b) => a.at_s - b.at_s)
    // The page as Alertmanager sent it, when the webhook got it; else as Prometheus fired it.
    journal.time_to_page_s = Number.isFinite(firstFault)
      ? (firstPageAfter(notified, firstFault) ?? firstPageAfter(opened.alerts.changes, firstFault))
      : null
    journal.error_budgets =
      (await budgetsBurned(
        String(run.configuration.prometheus_url),
        Date.parse(journal.start),
        Date.parse(journal.end),
      )) ?? null
  }
}

/** The journal as it starts: Chaos Toolkit's fields, then the lab's. */
function newJournal(experiment: Experiment, seed: number | undefined): Journal {
  return {
    'chaoslib-version': VERSION,
    platform: `${platform()} ${release()}`,
    node: hostname(),
    experiment,
    start: new Date().toISOString(),
    end: '',
    duration: 0,
    seed: seed ?? null,
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
    time_to_page_s: null,
    alerts: [],
    error_budgets: null,
    invariants: null,
    load: null,
    timeline: [],
  }
}

type Steps = ReturnType<typeof runSteps>

/** The run's steps: an activity with its pauses, a check of probes, the hypothesis, the console's board. */
function runSteps(run: RunContext, opened: OpenRun, options: ExperimentOptions, stopped: AbortSignal) {
  /** Waits; in the method, only until the run is stopping (a rollback's pauses are kept). */
  const pause = (s: number, abortable = true) =>
    new Promise<void>((resolve) => {
      if ((abortable && stopped.aborted) || s <= 0) return resolve()
      const cut = () => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(
        () => {
          stopped.removeEventListener('abort', cut)
          resolve()
        },
        s * options.scale * 1000,
      )
      if (abortable) stopped.addEventListener('abort', cut, { once: true })
    })

  /** Runs one activity with its pauses; never throws: a failure is in the run's status. */
  const activity = async (definition: ActivityDefinition, abortablePauses = true, announce?: string) => {
    await pause(definition.pauses?.before ?? 0, abortablePauses)
    if (announce) run.say(announce)
    const start = new Date()
    let done: ActivityRun
    try {
      const output = await executeActivity(definition, run, opened.store)
      done = { activity: definition, status: 'succeeded', output, start: start.toISOString(), end: '', duration: 0 }
    } catch (error) {
      const exception = [String((error as Error).message ?? error)]
      done = { activity: definition, status: 'failed', exception, start: start.toISOString(), end: '', duration: 0 }
    }
    const end = new Date()
    done.end = end.toISOString()
    done.duration = (end.getTime() - start.getTime()) / 1000
    await pause(definition.pauses?.after ?? 0, abortablePauses)
    return done
  }

  const probes = async (list: Probe[]): Promise<SteadyState> => {
    const at_s = run.seconds()
    const runs: ActivityRun[] = []
    for (const probe of list) {
      const done = await activity({ ...probe, pauses: undefined } as ActivityDefinition)
      done.activity = probe
      done.tolerance_met = done.status === 'succeeded' && withinTolerance(probe.tolerance as never, done.output)
      runs.push(done)
    }
    return {
      steady_state_met: runs.every((done) => done.tolerance_met),
      probes: runs,
      at_s: Math.round(at_s * 10) / 10,
    }
  }

  // The console shows the hypothesis's last reading.
  let lastState: SteadyState | null = null
  const publish = (step: ExperimentRun['step']) => publishRun(run, step, lastState, options.hypothesisFrequencyS)
  const hypothesis = async (step: ExperimentRun['step']): Promise<SteadyState | null> => {
    const written = run.experiment['steady-state-hypothesis']
    if (step !== 'method') await publish(step)
    const state = written ? await probes(written.probes) : null
    lastState = state
    return state
  }
  return { pause, activity, probes, hypothesis, publish }
}

/**
 * The method's activities in order (a background one started and waited for at the end), with
 * the hypothesis and each safeguard checked on their own clocks meanwhile.
 */
async function runMethod(
  run: RunContext,
  steps: Steps,
  options: ExperimentOptions,
  { stop, halt, stopped }: { stop: () => Stop | undefined; halt: (reason: Stop) => void; stopped: AbortController },
) {
  const { experiment, journal } = run
  let methodDone = false
  const every = async (intervalS: number, check: () => Promise<void>) => {
    while (!methodDone && !stop()) {
      await steps.pause(intervalS / options.scale)
      if (methodDone || stop()) return
      await check()
    }
  }
  const loops = [
    ...(experiment['steady-state-hypothesis']
      ? [
          every(options.hypothesisFrequencyS, async () => {
            const state = (await steps.hypothesis('method')) as SteadyState
            journal.steady_states.during.push(state)
            await steps.publish('method')
            if (!state.steady_state_met) {
              const failing = state.probes.filter((p) => !p.tolerance_met).map((p) => p.activity.name)
              run.say(`hypothesis not met: ${failing.join(', ')}`)
            }
          }),
        ]
      : []),
    ...(experiment.safeguards ?? []).map((safeguard) =>
      every(safeguard.frequency ?? options.hypothesisFrequencyS, async () => {
        if (!(await steps.probes([safeguard])).steady_state_met)
          halt(new Stop('interrupted', `safeguard "${safeguard.name}" failed`))
      }),
    ),
  ]
  const background: Promise<void>[] = []
  try {
    for (const activity of experiment.method) {
      if (stop()) break
      const announce = `${activity.type}: ${activity.name}${activity.background ? ' (in the background)' : ''}`
      if (activity.pauses?.before)
        run.say(`waiting ${activity.pauses.before * options.scale} s before ${activity.name}`)
      const running = steps.activity(activity, true, announce).then((done) => {
        journal.run.push(done)
        if (done.status === 'failed') {
          run.say(`${activity.name} failed: ${done.exception?.join(' ')}`)
          if (activity.type === 'action') halt(new Stop('failed', `action "${activity.name}" failed`))
        }
      })
      if (activity.background) background.push(running)
      else await running
    }
    await Promise.all(background)
  } finally {
    methodDone = true
    // The checks' pauses end now: the method is over.
    stopped.abort()
    await Promise.all(loops)
  }
}

/** The rollbacks run whatever happened, their pauses kept. */
async function runRollbacks(experiment: Experiment, steps: Steps, run: RunContext) {
  if ((experiment.rollbacks ?? []).length > 0) await steps.publish('rollbacks')
  for (const rollback of experiment.rollbacks ?? []) {
    run.say(`rollback: ${rollback.name}`)
    run.journal.rollbacks.push(await steps.activity(rollback, false))
  }
}

/** The journal's end: windows still open closed, phases and figures, and whether it is valid evidence. */
async function closeRun(run: RunContext, stop: Stop | undefined) {
  const { journal, ledger, recorder, load } = run
  ledger.close(run.seconds(), undefined, 'still on at the end')
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
    for (const reason of tampering) run.say(`not valid evidence: ${reason}`)
  }
  await run.client.close()
}
