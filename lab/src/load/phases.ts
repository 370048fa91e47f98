/**
 * A run's faults as windows and its load split at them (baseline, fault, recovery), each phase with
 * its figures: what an experiment's journal and a run's record share (docs/experiments.md#the-journal).
 */
import { countBy, round, type Sample, summarise } from '../fleet/recorder.ts'

/** How a run ended, in Chaos Toolkit's words: an experiment's journal, a run's verdict. */
/** `invalid`: another client changed the fleet's faults during the run, which is then no evidence. */
const JOURNAL_STATUSES = ['completed', 'failed', 'aborted', 'interrupted', 'invalid'] as const
export type JournalStatus = (typeof JOURNAL_STATUSES)[number]

/** A fault as the fleet applied it: switched on, and off by a clear, a switch to 0, or its TTL. */
export interface FaultWindow {
  /** The service, or the edge (`order-restaurant`) for a network fault. */
  service: string
  fault: string
  value: number | boolean | string
  /** The action's arguments as the file gave them (attributes, stream, ttl_s, signal, …). */
  parameters?: Record<string, unknown>
  from_s: number
  until_s: number
  /**
   * `back`: a killed, paused or restarted service answering its readiness probe again;
   * `removed elsewhere`, `changed elsewhere`: seen gone, or other than set, before its time.
   */
  ended_by:
    | 'cleared'
    | 'expired'
    | 'switched off'
    | 'back'
    | 'still on at the end'
    | 'removed elsewhere'
    | 'changed elsewhere'
  /** A fault this run did not set, seen in force on the fleet (another client's). */
  foreign?: boolean
  /** A foreign fault already in force when the run began. */
  before_run?: boolean
}

/**
 * The windows that split a run into phases: all but another client's fault in force from before
 * the run to its end, a condition of the whole run rather than a change within it.
 */
export const phaseWindows = (windows: FaultWindow[]) =>
  windows.filter((window) => !(window.before_run && window.ended_by === 'still on at the end'))

export interface PhaseVerdict {
  phase: 'baseline' | 'fault' | 'recovery'
  from_s: number
  until_s: number
  requests: number
  throughput_rps: number
  p95_ms: number | null
  p99_ms: number | null
  error_ratio: number | null
  /** Requests that got no HTTP answer at all (refused, reset, or past the client's deadline). */
  unanswered: number
  /** The orders placed in the phase by answer: `201`, `201 payment_failed`, `503 DEPENDENCY_UNAVAILABLE`, `0` (none). */
  outcomes: Record<string, number>
  /** Whether every check of the hypothesis in this phase held; null when none fell in it. */
  hypothesis_met: boolean | null
}

/**
 * Baseline (load before the first fault), fault (first on to last off) and recovery (after, to the
 * load's end). A request belongs to the phase its work was done in, not the one it began in: one
 * in flight when the first fault came on is the fault's (its saga's payment may have run under it:
 * 5 failed payments once counted in a baseline that ended 7 ms before the fault), and one begun
 * before the last fault went off is the fault's too.
 */
export function phasesOf(
  samples: Sample[],
  load: { fromMs: number; untilMs: number } | null,
  windows: FaultWindow[],
  /** The hypothesis' checks, when there was one: when, and whether it held. */
  checks: { at_s: number; steady_state_met: boolean }[],
): PhaseVerdict[] {
  if (!load) return []
  const faultFrom = Math.min(...windows.map((w) => w.from_s * 1000), load.untilMs)
  const faultUntil = Math.max(...windows.map((w) => w.until_s * 1000), faultFrom)
  const spans = [
    { phase: 'baseline', fromMs: load.fromMs, untilMs: Math.max(load.fromMs, faultFrom) },
    { phase: 'fault', fromMs: faultFrom, untilMs: Math.min(faultUntil, load.untilMs) },
    { phase: 'recovery', fromMs: Math.min(faultUntil, load.untilMs), untilMs: load.untilMs },
  ] as const
  const faulted = windows.length > 0
  const phaseOf = (sample: Sample) =>
    sample.at < load.fromMs || sample.at >= load.untilMs
      ? undefined
      : !faulted || sample.at + sample.latencyMs <= faultFrom
        ? 'baseline'
        : sample.at >= faultUntil
          ? 'recovery'
          : 'fault'
  return spans
    .filter((span) => span.untilMs > span.fromMs)
    .map(({ phase, fromMs, untilMs }) => {
      const inPhase = samples.filter((sample) => phaseOf(sample) === phase)
      const errors = inPhase.filter((sample) => sample.status >= 500 || sample.status === 0).length
      const latencies = inPhase.length === 0 ? null : summarise(inPhase.map((sample) => sample.latencyMs))
      const phaseChecks = checks.filter((check) => check.at_s * 1000 >= fromMs && check.at_s * 1000 < untilMs)
      return {
        phase,
        from_s: round(fromMs / 1000, 1),
        until_s: round(untilMs / 1000, 1),
        requests: inPhase.length,
        throughput_rps: round(inPhase.length / ((untilMs - fromMs) / 1000), 1),
        p95_ms: latencies?.p95 ?? null,
        p99_ms: latencies?.p99 ?? null,
        error_ratio: inPhase.length === 0 ? null : round(errors / inPhase.length, 4),
        unanswered: inPhase.filter((sample) => sample.status === 0).length,
        outcomes: countBy(
          inPhase.filter((sample) => sample.endpoint === 'POST /orders'),
          (sample) => (sample.reason ? `${sample.status} ${sample.reason}` : String(sample.status)),
        ),
        hypothesis_met: phaseChecks.length === 0 ? null : phaseChecks.every((check) => check.steady_state_met),
      }
    })
}

/** `201 ×40, 201 payment_failed ×3`: the orders of a phase by answer. */
export const outcomes = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([answer, count]) => `${answer} ×${count}`)
    .join(', ')
