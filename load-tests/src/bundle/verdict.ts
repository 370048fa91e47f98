/**
 * A run's verdict (verdict.json): what a regression gate reads, taken from the journal: status,
 * the hypothesis before, during and after, each phase's figures, detection and recovery, and the
 * invariants.
 */

import type { Journal, JournalStatus, PhaseVerdict } from '../experiment/journal.ts'
import type { InvariantResult } from '../invariants.ts'

export interface Verdict {
  experiment: string
  status: JournalStatus
  deviated: boolean
  interruption: string | null
  hypothesis: { before: boolean | null; after: boolean | null; checks_during: number; failed_during: number }
  phases: PhaseVerdict[]
  time_to_detect_s: number | null
  time_to_recover_s: number | null
  invariants: InvariantResult[] | null
}

export function verdictOf(journal: Journal): Verdict {
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
    invariants: journal.invariants,
  }
}
