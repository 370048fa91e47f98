import { activeTraceId } from '@food/telemetry/spans'
import type { LabelValues } from 'prom-client'

/**
 * Exemplar labels naming the active trace (none outside a trace), for histograms created with
 * `enableExemplars`: Grafana links a latency bucket to a trace that landed in it.
 */
export function traceExemplar<T extends string>(): LabelValues<T> {
  const traceId = activeTraceId()
  // prom-client types exemplar labels as the metric's own label names; exemplars have their own.
  return (traceId ? { trace_id: traceId } : {}) as LabelValues<T>
}
