import type { Journal } from '../src/experiment/journal.ts'

/**
 * The experiment the fault tests run: a load in the background, its faults one after the other
 * (each `afterS` after the one before), the stock adding up before, during and after, and no
 * request answered a bare 500 (a fault must come out as the fleet's 503/504, never as a bug);
 * every fault cleared at the end.
 */
export const faultUnderLoad = (options: {
  title: string
  load: { profile: string; duration_s: number; concurrency: number }
  faults: { name: string; provider: object; afterS: number }[]
}) => ({
  title: options.title,
  'steady-state-hypothesis': {
    title: 'The stock adds up',
    probes: [
      { type: 'probe', name: 'the stock adds up', tolerance: true, provider: { type: 'invariants' } },
      {
        type: 'probe',
        name: 'no request answered a bare 500',
        tolerance: 0,
        provider: {
          type: 'prometheus',
          query: 'sum(http_server_request_duration_seconds_count{status_code="500"}) or vector(0)',
        },
      },
    ],
  },
  method: [
    {
      type: 'action',
      name: `the load: ${options.load.profile} from ${options.load.concurrency} users`,
      background: true,
      provider: { type: 'fleet', action: 'load', ...options.load },
    },
    ...options.faults.map((fault) => ({
      type: 'action',
      name: fault.name,
      pauses: { before: fault.afterS },
      provider: { type: 'fleet', ...fault.provider },
    })),
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
