import { traceExemplar } from '@food/metrics'
import { inSpan } from '@food/telemetry/spans'
import type { Attributes, Span } from '@opentelemetry/api'
import type { Histogram } from 'prom-client'

export const SAGA_STEPS = ['price', 'store', 'reserve_stock', 'payment', 'release_stock'] as const
export type SagaStepName = (typeof SAGA_STEPS)[number]
export const STEP_OUTCOMES = ['ok', 'error'] as const

/** Runs one saga step as a span of the request's trace (`order.<step>`) and times it. */
export type SagaStep = <T>(step: SagaStepName, attributes: Attributes, work: (span: Span) => Promise<T>) => Promise<T>

export function sagaStepRunner(duration: Histogram<'step' | 'outcome'>): SagaStep {
  return async (step, attributes, work) => {
    const stop = duration.startTimer({ step }, traceExemplar())
    try {
      const result = await inSpan(`order.${step}`, attributes, work)
      stop({ outcome: 'ok' })
      return result
    } catch (error) {
      stop({ outcome: 'error' })
      throw error
    }
  }
}
