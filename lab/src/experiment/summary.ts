/** The journal in a few lines, as `npm run experiment` prints it at the end of a run (docs/experiments.md). */
import { outcomes } from '../load/phases.ts'
import type { ActivityRun, Journal } from './journal.ts'

const figure = (value: number | null, unit = '') => (value === null ? '–' : `${value}${unit}`)

/** The journal in a few lines: the verdict, the phases, detection and recovery, the invariants. */
export function journalSummary(journal: Journal): string {
  const verdict =
    journal.status === 'invalid'
      ? 'INVALID: another client changed the fleet’s faults during the run; it is not evidence either way'
      : journal.status === 'completed' && !journal.deviated
        ? 'HELD: the steady-state hypothesis held throughout'
        : journal.steady_states.before?.steady_state_met === false
          ? 'NOT STEADY before the method: nothing was injected'
          : `${journal.deviated ? 'DEVIATED' : journal.status.toUpperCase()}${journal.interruption ? ` (${journal.interruption})` : ''}`
  const failing = [
    ...journal.steady_states.during,
    ...(journal.steady_states.after ? [journal.steady_states.after] : []),
  ].flatMap((state) =>
    state.probes.filter((probe) => !probe.tolerance_met).map((probe) => `${probe.activity.name} at ${state.at_s} s`),
  )
  const lines = [
    `${journal.experiment.title}: ${verdict}`,
    `  status ${journal.status}, deviated ${journal.deviated}, ${journal.duration.toFixed(1)} s`,
    ...journal.phases.map(
      (phase) =>
        `  ${phase.phase.padEnd(9)} ${phase.from_s}–${phase.until_s} s: ${phase.throughput_rps} req/s, p95 ${figure(phase.p95_ms, ' ms')}, p99 ${figure(phase.p99_ms, ' ms')}, errors ${figure(phase.error_ratio === null ? null : Math.round(phase.error_ratio * 1000) / 10, '%')}${phase.unanswered > 0 ? ` (${phase.unanswered} unanswered)` : ''}, hypothesis ${phase.hypothesis_met === null ? 'not checked' : phase.hypothesis_met ? 'held' : 'not met'}`,
    ),
    ...journal.phases
      .filter((phase) => Object.keys(phase.outcomes).length > 0)
      .map((phase) => `  ${phase.phase.padEnd(9)} orders: ${outcomes(phase.outcomes)}`),
    ...journal.fault_windows.map(
      (window) =>
        `  ${window.foreign ? 'foreign fault (not this run’s)' : 'fault'} ${window.service} ${window.fault}=${window.value} ${window.from_s}–${window.until_s} s (${window.ended_by})`,
    ),
    ...(journal.invalid_because ?? []).map((reason) => `  not valid: ${reason}`),
    ...lastProbes(journal),
    `  time to detect ${figure(journal.time_to_detect_s, ' s')} (probes), to page ${figure(journal.time_to_page_s, ' s')} (alerts), time to recover ${figure(journal.time_to_recover_s, ' s')}`,
    ...budgetLines(journal),
    ...(failing.length > 0 ? [`  not met: ${[...new Set(failing)].slice(0, 8).join('; ')}`] : []),
    ...(journal.invariants ?? []).map(
      (invariant) => `  ${invariant.ok ? 'ok  ' : 'FAIL'} ${invariant.name}: ${invariant.detail}`,
    ),
  ]
  return lines.join('\n')
}

/** Each probe of the hypothesis with its value at the last check: what it measured, not only whether it held. */
export const lastCheck = (journal: Journal) =>
  journal.steady_states.after ?? journal.steady_states.during.at(-1) ?? journal.steady_states.before

function lastProbes(journal: Journal): string[] {
  const last = lastCheck(journal)
  if (!last) return []
  return last.probes.map(
    (probe) =>
      `  probe ${probe.activity.name} at ${last.at_s} s: ${shown(probe)} (${probe.tolerance_met ? 'within' : 'outside'} its tolerance)`,
  )
}

/** A probe's output in a few words, for the chaos console. */
export function shown(run: ActivityRun): string {
  if (run.status === 'failed') return `failed: ${run.exception?.join(' ') ?? ''}`
  const output = run.output as unknown
  if (typeof output === 'number') return String(Math.round(output * 1000) / 1000)
  if (output === null) return 'no data'
  if (output && typeof output === 'object' && 'status' in output) return `HTTP ${String(output.status)}`
  if (output && typeof output === 'object' && 'broken' in output) {
    const broken = output.broken as string[]
    return broken.length === 0 ? 'all hold' : `broken: ${broken.join('; ')}`
  }
  return JSON.stringify(output)
}

/** Each SLO whose budget the run burned, most first: the share of its period's budget. */
function budgetLines(journal: Journal): string[] {
  const burned = (journal.error_budgets ?? [])
    .filter((budget) => (budget.budget_burned ?? 0) > 0)
    .sort((a, b) => (b.budget_burned ?? 0) - (a.budget_burned ?? 0))
  if (burned.length === 0) return journal.error_budgets ? ['  error budget burned: none'] : []
  const shown = (share: number) => `${Math.round(share * 1000) / 10}%`
  return [`  error budget burned: ${burned.map((b) => `${b.slo} ${shown(b.budget_burned as number)}`).join(', ')}`]
}
