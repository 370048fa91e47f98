import {
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api'
import { tracing } from '@opentelemetry/sdk-node'
import { describe, expect, it } from 'vitest'
import { TAIL_DEFAULTS, tailSettings, traceInShare } from '../src/settings.ts'
import {
  KEPT_ATTRIBUTE,
  KeptTraceContextPropagator,
  TailHeadSampler,
  TailSamplingProcessor,
} from '../src/tail-sampling.ts'

describe('tailSettings: OTEL_TRACES_SAMPLER=tail and its OTEL_TRACES_SAMPLER_ARG', () => {
  it('is off unless the sampler is named', () => {
    expect(tailSettings({})).toBeUndefined()
    expect(tailSettings({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' })).toBe(
      undefined,
    )
  })

  it.each([
    [undefined, TAIL_DEFAULTS],
    ['', TAIL_DEFAULTS],
    ['0.25', { ratio: 0.25, perSecond: 10 }],
    ['1', { ratio: 1, perSecond: 10 }],
    ['ratio=0.5,per_second=0', { ratio: 0.5, perSecond: 0 }],
    [' per_second = 3 ', { ratio: 0.1, perSecond: 3 }],
  ])('%j → %j', (arg, settings) => {
    expect(tailSettings({ OTEL_TRACES_SAMPLER: 'tail', OTEL_TRACES_SAMPLER_ARG: arg })).toEqual(settings)
  })

  it.each(['half', '-1', 'ratio=x', 'rate=0.1'])('refuses %j, naming the variable', (arg) => {
    expect(() => tailSettings({ OTEL_TRACES_SAMPLER: 'tail', OTEL_TRACES_SAMPLER_ARG: arg })).toThrow(
      /OTEL_TRACES_SAMPLER_ARG/,
    )
  })
})

describe('traceInShare: the same traces in every service, by trace id', () => {
  it('keeps the ids whose rightmost 52 bits fall below the ratio, as npm start’s trace store does', () => {
    const id = (last13: string, first19 = 'f'.repeat(19)) => first19 + last13
    expect(traceInShare(id('000000000000a'), 0.1)).toBe(true)
    expect(traceInShare(id('1999999999999'), 0.1)).toBe(true)
    expect(traceInShare(id('199999999999a', '0'.repeat(19)), 0.1)).toBe(false)
    expect(traceInShare(id('fffffffffffff'), 0.99)).toBe(false)
    expect(traceInShare(id('fffffffffffff'), 1)).toBe(true)
    expect(traceInShare(id('0000000000001'), 0)).toBe(false)
  })
})

const IN_SHARE = 'fffffffffffffffffff0000000000001'
const OUT_OF_SHARE = '0000000000000000000fffffffffffff'

describe('TailHeadSampler: what is kept at the head', () => {
  const decide = (sampler: TailHeadSampler, traceId: string, parentFlags?: TraceFlags) => {
    const parent =
      parentFlags === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId,
            spanId: '00f067aa0ba902b7',
            traceFlags: parentFlags,
            isRemote: true,
          })
    return sampler.shouldSample(parent, traceId).decision
  }
  const { RECORD, RECORD_AND_SAMPLED } = tracing.SamplingDecision

  it('samples the share, records the rest', () => {
    const sampler = new TailHeadSampler({ ratio: 0.1, perSecond: 0 })
    expect(decide(sampler, IN_SHARE)).toBe(RECORD_AND_SAMPLED)
    expect(decide(sampler, OUT_OF_SHARE)).toBe(RECORD)
  })

  it('samples the first traces of each second too', () => {
    let now = 1_000
    const sampler = new TailHeadSampler({ ratio: 0, perSecond: 2 }, () => now)
    expect([1, 2, 3].map(() => decide(sampler, OUT_OF_SHARE))).toEqual([RECORD_AND_SAMPLED, RECORD_AND_SAMPLED, RECORD])
    now += 1_000
    expect(decide(sampler, OUT_OF_SHARE)).toBe(RECORD_AND_SAMPLED)
  })

  it('follows the decision of the trace’s head (a caller’s traceparent)', () => {
    const sampler = new TailHeadSampler({ ratio: 1, perSecond: 10 })
    expect(decide(sampler, IN_SHARE, TraceFlags.NONE)).toBe(RECORD)
    expect(decide(new TailHeadSampler({ ratio: 0, perSecond: 0 }), OUT_OF_SHARE, TraceFlags.SAMPLED)).toBe(
      RECORD_AND_SAMPLED,
    )
  })
})

/** A tracer whose spans end in a TailSamplingProcessor exporting to memory. */
function tailTracer(options: { ratio?: number; limits?: ConstructorParameters<typeof TailSamplingProcessor>[1] } = {}) {
  const exporter = new tracing.InMemorySpanExporter()
  const processor = new TailSamplingProcessor([new tracing.SimpleSpanProcessor(exporter)], options.limits)
  const provider = new tracing.BasicTracerProvider({
    sampler: new TailHeadSampler({ ratio: options.ratio ?? 0, perSecond: 0 }),
    spanProcessors: [processor],
  })
  const tracer = provider.getTracer('test')
  /** A span, child of `parent` when given; `at` its start and end (ms since the epoch). */
  const span = (name: string, parent?: Span, at?: [number, number]) => {
    const context = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT
    const started = tracer.startSpan(
      name,
      { kind: parent ? SpanKind.CLIENT : SpanKind.SERVER, startTime: at?.[0] },
      context,
    )
    return { span: started, end: () => started.end(at?.[1]) }
  }
  const exported = () => exporter.getFinishedSpans()
  return { tracer, processor, span, exported }
}

describe('TailSamplingProcessor: keeps what a collector’s tail sampling would keep', () => {
  it('drops a trace where nothing happened, its spans never sent', () => {
    const { span, processor, exported } = tailTracer()
    const root = span('GET /menus')
    span('get', root.span).end()
    root.end()
    expect(exported()).toEqual([])
    expect(processor.counts.dropped).toBe(1)
  })

  it('sends a sampled trace’s spans as they end', () => {
    const { span, exported, processor } = tailTracer({ ratio: 1 })
    const root = span('GET /menus')
    span('get', root.span).end()
    expect(exported().map((each) => each.name)).toEqual(['get'])
    root.end()
    expect(exported().map((each) => each.name)).toEqual(['get', 'GET /menus'])
    expect(processor.counts.kept.share).toBe(1)
  })

  it('keeps a trace with a failed span, all of it, once its root ends, and says why', () => {
    const { span, exported } = tailTracer()
    const root = span('POST /orders')
    const failed = span('INSERT', root.span)
    failed.span.setStatus({ code: SpanStatusCode.ERROR })
    failed.end()
    span('get', root.span).end()
    expect(exported()).toEqual([])
    root.end()
    expect(exported().map((each) => each.name)).toEqual(['INSERT', 'get', 'POST /orders'])
    expect(exported().every((each) => each.spanContext().traceFlags & TraceFlags.SAMPLED)).toBe(true)
    expect(exported().at(-1)?.attributes[KEPT_ATTRIBUTE]).toBe('error')
  })

  it('keeps a trace with a chaos.injected event', () => {
    const { span, exported } = tailTracer()
    const root = span('POST /validate')
    root.span.addEvent('chaos.injected', { 'chaos.fault': 'delay', 'chaos.value': 20 })
    root.end()
    expect(exported()[0]?.attributes[KEPT_ATTRIBUTE]).toBe('chaos')
  })

  it('keeps a root slower than its route’s recent p99, once it has a hundred to compare with', () => {
    const { span, exported, processor } = tailTracer()
    const at = Date.now()
    for (let i = 0; i < 200; i++) span('GET /menus', undefined, [at, at + 1 + (i % 10)]).end()
    span('GET /menus', undefined, [at, at + 9]).end()
    expect(exported()).toEqual([])
    span('GET /menus', undefined, [at, at + 50]).end()
    expect(exported().map((each) => each.attributes[KEPT_ATTRIBUTE])).toEqual(['slow'])
    // Another route has its own p99, and none yet.
    span('GET /menus/:id', undefined, [at, at + 500]).end()
    expect(exported()).toHaveLength(1)
    expect(processor.counts.kept.slow).toBe(1)
  })

  it('keeps a trace a service it called kept (traceresponse), and its later spans', () => {
    const { span, processor, exported } = tailTracer()
    const root = span('POST /orders')
    const traceId = root.span.spanContext().traceId
    span('POST /validate', root.span).end()
    processor.keepTrace(traceId, 'downstream')
    expect(processor.keeps(traceId)).toBe(true)
    root.end()
    expect(exported().map((each) => each.name)).toEqual(['POST /validate', 'POST /orders'])
    // A span of the same trace ending later (another request of it) goes as it ends.
    const late = span('late', root.span)
    late.end()
    expect(exported().map((each) => each.name)).toContain('late')
  })

  it('decides before the root ends when asked (a reply about to be sent): a 5xx keeps it', () => {
    const { span, processor, exported } = tailTracer()
    const root = span('PUT /inventory/:menuId')
    expect(processor.keepsBeforeEnd(root.span as unknown as tracing.ReadableSpan, 200)).toBe(false)
    expect(processor.keepsBeforeEnd(root.span as unknown as tracing.ReadableSpan, 503)).toBe(true)
    root.end()
    expect(exported()[0]?.attributes[KEPT_ATTRIBUTE]).toBe('error')
  })

  it('holds at most so many unfinished traces: the oldest go first', () => {
    const { span, processor, exported } = tailTracer({
      limits: { maxPendingTraces: 2, maxSpansPerTrace: 10, maxKeptTraces: 10, maxRoutes: 10 },
    })
    const roots = [span('a'), span('b'), span('c')]
    for (const root of roots) {
      const failed = span('child', root.span)
      failed.span.setStatus({ code: SpanStatusCode.ERROR })
      failed.end()
    }
    expect(processor.counts.evicted).toBe(1)
    const [a, b, c] = roots
    c?.end()
    b?.end()
    expect(exported().map((each) => each.name)).toEqual(['child', 'c', 'child', 'b'])
    // a's failed child went with its unfinished trace: a's root alone has nothing to keep.
    a?.end()
    expect(exported()).toHaveLength(4)
  })
})

describe('KeptTraceContextPropagator: calls made in a trace kept here carry the sampled flag', () => {
  it('sets flag 01 on traceparent once the trace is kept, 00 before', () => {
    const { span, processor } = tailTracer()
    const propagator = new KeptTraceContextPropagator(processor)
    const root = span('POST /orders')
    const { traceId } = root.span.spanContext()
    const headers = () => {
      const carrier: Record<string, string> = {}
      propagator.inject(trace.setSpan(ROOT_CONTEXT, root.span), carrier, defaultTextMapSetter)
      return carrier.traceparent
    }
    expect(headers()).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`))
    processor.keepTrace(traceId, 'downstream')
    expect(headers()).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
  })
})
