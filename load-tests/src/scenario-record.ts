/** A scenario run's record (`npm run scenario`), from its report: no hypothesis, its invariants the verdict. */
import type { RunRecord } from './bundle/write-bundle.ts'
import { faultWindowsOf, type RunReport } from './runner.ts'

export const scenarioRecord = (
  report: RunReport,
  endedAt: Date,
  rest: Pick<RunRecord, 'metrics' | 'logs'>,
): RunRecord => ({
  title: report.description,
  start: report.startedAt,
  end: endedAt.toISOString(),
  seed: null,
  windows: faultWindowsOf(report.chaos),
  verdict: {
    experiment: report.description,
    status: report.status === 'aborted' ? 'aborted' : report.ok ? 'completed' : 'failed',
    deviated: false,
    interruption: report.status === 'aborted' ? 'interrupted: the load stopped, its faults switched off' : null,
    hypothesis: { before: null, after: null, checks_during: 0, failed_during: 0 },
    phases: report.phases,
    time_to_detect_s: null,
    time_to_recover_s: null,
    invariants: report.invariants,
  },
  account: { file: 'report.json', content: report },
  ...rest,
})
