/**
 * A run's verdict (verdict.json), what a regression gate reads; an experiment's is taken from its
 * journal (experiment/record.ts). See docs/experiments.md#the-record-of-a-run.
 */

import type { InvariantResult } from '../fleet/invariants.ts'
import type { BudgetBurn } from '../fleet/slo-budget.ts'
import type { JournalStatus, PhaseVerdict } from '../load/phases.ts'

/** Status, the hypothesis before, during and after, each phase's figures, detection and recovery, the invariants. */
export interface Verdict {
  experiment: string
  status: JournalStatus
  deviated: boolean
  interruption: string | null
  hypothesis: { before: boolean | null; after: boolean | null; checks_during: number; failed_during: number }
  phases: PhaseVerdict[]
  time_to_detect_s: number | null
  time_to_recover_s: number | null
  /** From the first fault to the first page (docs/alerts.md); null when none fired. */
  time_to_page_s: number | null
  /** The share of each SLO's error budget the run burned (docs/alerts.md); null when no Prometheus answered. */
  error_budgets: BudgetBurn[] | null
  invariants: InvariantResult[] | null
}
