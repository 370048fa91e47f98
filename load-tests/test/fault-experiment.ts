import type { Journal } from '../src/experiment/journal.ts'

/**
 * The experiment the fault tests run: a load in the background, one fault `afterS` into it, the
 * stock adding up before, during and after, and every fault cleared at the end.
 */
export const faultUnderLoad = (options: {
  title: string
  load: { profile: string; duration_s: number; concurrency: number }
  fault: { name: string; provider: object }
  afterS: number
}) => ({
  title: options.title,
  'steady-state-hypothesis': {
    title: 'The stock adds up',
    probes: [{ type: 'probe', name: 'the stock adds up', tolerance: true, provider: { type: 'invariants' } }],
  },
  method: [
    {
      type: 'action',
      name: `the load: ${options.load.profile} from ${options.load.concurrency} users`,
      background: true,
      provider: { type: 'fleet', action: 'load', ...options.load },
    },
    {
      type: 'action',
      name: options.fault.name,
      pauses: { before: options.afterS },
      provider: { type: 'fleet', ...options.fault.provider },
    },
  ],
  rollbacks: [{ type: 'action', name: 'clear every fault', provider: { type: 'fleet', action: 'clear-faults' } }],
})

/** Each phase's figures, for a test to print: requests, p99, error ratio, unanswered. */
export const phaseFigures = (journal: Journal) =>
  JSON.stringify(
    journal.phases.map(({ phase, requests, p99_ms, error_ratio, unanswered }) => ({
      phase,
      requests,
      p99_ms,
      error_ratio,
      unanswered,
    })),
  )
