import type { MetricsRegistry } from '@food/metrics'
import { Counter, Histogram } from 'prom-client'
import { SAGA_STEPS, STEP_OUTCOMES } from './saga-step.ts'

/** What the recoverer finds: an order abandoned PENDING, or one whose release did not finish. */
const RECOVERY_FINDINGS = ['abandoned', 'unreleased'] as const

export function createSagaInstruments(registry: MetricsRegistry) {
  const registers = [registry]
  const instruments = {
    outcomes: new Counter({
      name: 'orders_total',
      help: 'Orders that reached a final status, by status and failure reason (none for success)',
      labelNames: ['status', 'reason'] as const,
      registers,
    }),
    releases: new Counter({
      name: 'order_stock_releases_total',
      help: 'Attempts to give an order’s stock back, by outcome (released, deferred to the recoverer, release_refused)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    refusedRestores: new Counter({
      name: 'order_restore_refusals_total',
      help: 'Restores the restaurant refused for good (logged as errors: they need a person)',
      labelNames: ['code'] as const,
      registers,
    }),
    stepDuration: new Histogram({
      name: 'order_saga_step_duration_seconds',
      help: 'Duration of each step of the order saga, by step and outcome',
      labelNames: ['step', 'outcome'] as const,
      registers,
      enableExemplars: true,
    }),
    recovered: new Counter({
      name: 'order_recoveries_total',
      help: 'Orders the recoverer took over, by what it found (abandoned PENDING, unfinished release)',
      labelNames: ['found'] as const,
      registers,
    }),
  }
  // The series a dashboard shows exist from the start at 0: "no error" rather than no data.
  for (const step of SAGA_STEPS) for (const outcome of STEP_OUTCOMES) instruments.stepDuration.zero({ step, outcome })
  for (const found of RECOVERY_FINDINGS) instruments.recovered.inc({ found }, 0)
  return instruments
}

export type SagaInstruments = ReturnType<typeof createSagaInstruments>
