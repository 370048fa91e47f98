import { type Attributes, type Span, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api'

const tracer = trace.getTracer('food-delivery')

/**
 * Runs `work` in a span of its own, a child of the active one (the request's). A thrown error is
 * recorded on the span and marks it failed. Without a started SDK, spans cost next to nothing.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span)
    } catch (error) {
      span.recordException(error as Error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message })
      throw error
    } finally {
      span.end()
    }
  })
}

/** Marks something that happened inside the current operation (e.g. an injected fault). */
export function addSpanEvent(name: string, attributes: Attributes): void {
  trace.getActiveSpan()?.addEvent(name, attributes)
}

/**
 * Trace id of the active span, when its trace is sampled: a trace the sampler left out
 * (`OTEL_TRACES_SAMPLER`) has an id too, but pointing anyone to it would lead nowhere; so has one
 * the tail policy records until it knows whether to keep it (tail-sampling.ts), which may be dropped.
 */
export function activeTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext()
  const sampled = context && trace.isSpanContextValid(context) && (context.traceFlags & TraceFlags.SAMPLED) !== 0
  return sampled ? context.traceId : undefined
}
