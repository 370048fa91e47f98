import { context, TraceFlags, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activeTraceId } from '../src/spans.ts'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'

/** Runs `read` with a span of the given sampling decision active, as an instrumented request would. */
function insideSpan(traceFlags: TraceFlags, read: () => string | undefined) {
  const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags })
  return context.with(trace.setSpan(context.active(), span), read)
}

describe('activeTraceId: the id to show people (X-Trace-Id, exemplars)', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  })
  afterAll(() => context.disable())

  it('names a sampled trace', () => {
    expect(insideSpan(TraceFlags.SAMPLED, activeTraceId)).toBe(TRACE_ID)
  })

  it('says nothing of a trace the sampler left out, nor outside any trace', () => {
    expect(insideSpan(TraceFlags.NONE, activeTraceId)).toBeUndefined()
    expect(activeTraceId()).toBeUndefined()
  })
})
