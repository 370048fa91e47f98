/**
 * The journal of a run: Chaos Toolkit's fields, and what no peer records
 * (docs/experiments.md#the-journal).
 */

import type { AlertChange } from '../fleet/alerts.ts'
import type { InvariantResult } from '../fleet/invariants.ts'
import { round, type Sample, type SecondOfRun, timelineOf } from '../fleet/recorder.ts'
import type { BudgetBurn } from '../fleet/slo-budget.ts'
import { type FaultWindow, type JournalStatus, type PhaseVerdict, phasesOf, phaseWindows } from '../load/phases.ts'
import type { ActivityDefinition, Experiment } from './format.ts'

export interface ActivityRun {
  activity: ActivityDefinition
  status: 'succeeded' | 'failed'
  output?: unknown
  exception?: string[]
  start: string
  end: string
  duration: number
  /** Probes of a hypothesis or safeguards: whether the output was within the tolerance. */
  tolerance_met?: boolean
}

export interface SteadyState {
  steady_state_met: boolean
  probes: ActivityRun[]
  /** Seconds since the experiment started (beyond Chaos Toolkit's fields). */
  at_s: number
}

/**
 * Chaos Toolkit's field names (status, deviated, steady_states, run, rollbacks, each activity's
 * start, end, duration, status, output), and what no peer records: the phases' verdicts, time to
 * detect and to recover, the faults' windows, the invariants.
 */
export interface Journal {
  'chaoslib-version': string
  platform: string
  node: string
  experiment: Experiment
  start: string
  end: string
  duration: number
  /** The run's seed (`--seed`): each fault it set was seeded from it; null when not given. */
  seed: number | null
  status: JournalStatus
  deviated: boolean
  steady_states: { before: SteadyState | null; after: SteadyState | null; during: SteadyState[] }
  run: ActivityRun[]
  rollbacks: ActivityRun[]
  /** Why the run stopped early: the safeguard that failed, the action that failed, or Ctrl-C. */
  interruption: string | null
  /** Status `invalid`: each fault another client removed, changed or added while the run went. */
  invalid_because?: string[]
  fault_windows: FaultWindow[]
  phases: PhaseVerdict[]
  /** From the first fault to the first check of the hypothesis that failed (the probes' figure). */
  time_to_detect_s: number | null
  time_to_recover_s: number | null
  /** From the first fault to the first page that fired (Prometheus' alerts, docs/alerts.md); null when none did. */
  time_to_page_s: number | null
  /** Every change of the fleet's alerts while the run went, as Prometheus evaluated them. */
  alerts: AlertChange[]
  /** How much of each SLO's error budget the run burned, from Prometheus; null when none answered. */
  error_budgets: BudgetBurn[] | null
  invariants: InvariantResult[] | null
  load: { profile: string; concurrency: number; duration_s: number; menu_id: number; users: number } | null
  /** The load's requests second by second, from the experiment's start. */
  timeline: SecondOfRun[]
}

/**
 * Time to detect: from the first fault to the first check of the hypothesis that failed. Time to
 * recover: from the last fault's end to the first check that held again. Null when there was
 * nothing to detect, or no recovery was seen.
 */
export function detectionAndRecovery(windows: FaultWindow[], checks: SteadyState[]) {
  if (windows.length === 0) return { time_to_detect_s: null, time_to_recover_s: null }
  const faultFrom = Math.min(...windows.map((w) => w.from_s))
  const faultUntil = Math.max(...windows.map((w) => w.until_s))
  const ordered = [...checks].sort((a, b) => a.at_s - b.at_s)
  const detected = ordered.find((check) => check.at_s >= faultFrom && !check.steady_state_met)
  if (!detected) return { time_to_detect_s: null, time_to_recover_s: null }
  const recovered = ordered.find((check) => check.at_s >= Math.max(faultUntil, detected.at_s) && check.steady_state_met)
  return {
    time_to_detect_s: round(detected.at_s - faultFrom, 1),
    time_to_recover_s: recovered ? round(recovered.at_s - faultUntil, 1) : null,
  }
}

/** Fills in what the journal says once the run is over: the windows, the verdict, phases, detection. */
export function finishJournal(
  journal: Journal,
  run: {
    stop: { status: JournalStatus; message: string } | undefined
    windows: FaultWindow[]
    samples: Sample[]
    load: { fromMs: number; untilMs: number } | null
    endedAt: Date
  },
) {
  journal.fault_windows = run.windows
  const checks = [
    ...journal.steady_states.during,
    ...(journal.steady_states.after ? [journal.steady_states.after] : []),
  ]
  journal.deviated = checks.some((check) => !check.steady_state_met)
  if (run.stop) {
    journal.status = run.stop.status
    journal.interruption = run.stop.message
  } else if (journal.status === 'completed' && journal.deviated) {
    journal.status = 'failed'
  }
  journal.phases = phasesOf(run.samples, run.load, phaseWindows(journal.fault_windows), checks)
  journal.timeline = timelineOf(run.samples, 0)
  Object.assign(journal, detectionAndRecovery(phaseWindows(journal.fault_windows), checks))
  journal.end = run.endedAt.toISOString()
  journal.duration = (run.endedAt.getTime() - Date.parse(journal.start)) / 1000
}
