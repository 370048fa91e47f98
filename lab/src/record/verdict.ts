/**
 * A run's verdict (verdict.json): what a regression gate reads: status, the hypothesis before,
 * during and after, each phase's figures, detection and recovery, and the invariants. An
 * experiment's is taken from its journal (experiment/record.ts), a scenario's from its report
 * (scenario-record.ts).
 */

import type { InvariantResult } from '../fleet/invariants.ts'
import type { JournalStatus, PhaseVerdict } from '../load/phases.ts'

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
