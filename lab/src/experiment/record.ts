/**
 * An experiment run's record (record/write-record.ts writes it), from its journal
 * (docs/experiments.md#the-record-of-a-run).
 */
import type { Verdict } from '../record/verdict.ts'
import type { RunRecord } from '../record/write-record.ts'
import type { Journal } from './journal.ts'

/** The journal's verdict: its status, the hypothesis before, during and after, phases, invariants. */
function verdictOf(journal: Journal): Verdict {
  const during = journal.steady_states.during
  return {
    experiment: journal.experiment.title,
    status: journal.status,
    deviated: journal.deviated,
    interruption: journal.interruption,
    hypothesis: {
      before: journal.steady_states.before?.steady_state_met ?? null,
      after: journal.steady_states.after?.steady_state_met ?? null,
      checks_during: during.length,
      failed_during: during.filter((state) => !state.steady_state_met).length,
    },
    phases: journal.phases,
    time_to_detect_s: journal.time_to_detect_s,
    time_to_recover_s: journal.time_to_recover_s,
    time_to_page_s: journal.time_to_page_s,
    error_budgets: journal.error_budgets,
    invariants: journal.invariants,
  }
}

export const experimentRecord = (
  journal: Journal,
  rest: Pick<RunRecord, 'metrics' | 'logs' | 'traces' | 'storeTraces'>,
): RunRecord => ({
  title: journal.experiment.title,
  start: journal.start,
  end: journal.end,
  seed: journal.seed,
  windows: journal.fault_windows,
  verdict: verdictOf(journal),
  journal,
  alerts: journal.alerts,
  ...rest,
})
