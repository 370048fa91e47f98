import type { MetricsRegistry } from '@food/metrics'
import { Counter, Histogram } from 'prom-client'

export function createSagaInstruments(registry: MetricsRegistry) {
  const registers = [registry]
  return {
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
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
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
}

export type SagaInstruments = ReturnType<typeof createSagaInstruments>
