/**
 * The run as the chaos console shows it: put on each service's `PUT /chaos/run` at every step and
 * check of the hypothesis, with a TTL, so it lapses if this process dies (docs/experiments.md#the-run).
 */
import type { ExperimentRun } from '@food/chaos'
import type { RunContext } from './actions/action.ts'
import { SERVICES } from './format.ts'
import type { SteadyState } from './journal.ts'
import { shown } from './summary.ts'

export async function publishRun(
  run: RunContext,
  step: ExperimentRun['step'],
  lastState: SteadyState | null,
  hypothesisFrequencyS: number,
): Promise<void> {
  const now = run.seconds()
  const { experiment, journal, ledger } = run
  const board: ExperimentRun = {
    title: experiment.title.slice(0, 200),
    step,
    phase: ledger.anyOpen(now) ? 'fault' : ledger.count > 0 ? 'recovery' : 'baseline',
    elapsed_s: Math.round(now * 10) / 10,
    deviated: journal.steady_states.during.some((state) => !state.steady_state_met),
    probes: (experiment['steady-state-hypothesis']?.probes ?? []).slice(0, 50).map((probe, i) => {
      const last = lastState?.probes[i]
      return {
        name: probe.name.slice(0, 200),
        value: last ? shown(last).slice(0, 200) : 'not checked yet',
        met: last?.tolerance_met ?? null,
      }
    }),
  }
  const ttl_s = Math.ceil(hypothesisFrequencyS * 3) + 10
  await Promise.all(
    SERVICES.map((service) =>
      run.client.call(service, 'PUT', '/chaos/run', { json: { run: board, ttl_s }, record: false }),
    ),
  )
}

/** The console's board taken down at the end of the run. */
export const unpublishRun = (run: RunContext) =>
  Promise.all(SERVICES.map((service) => run.client.call(service, 'DELETE', '/chaos/run', { record: false })))
