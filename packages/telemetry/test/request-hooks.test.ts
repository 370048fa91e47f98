import { channel } from 'node:diagnostics_channel'
import { context, ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { tracing } from '@opentelemetry/sdk-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installRequestHooks } from '../src/request-hooks.ts'
import { TailHeadSampler, TailSamplingProcessor } from '../src/tail-sampling.ts'

type Hook = (...args: unknown[]) => void

const processor = new TailSamplingProcessor([new tracing.SimpleSpanProcessor(new tracing.InMemorySpanExporter())])
const tracer = new tracing.BasicTracerProvider({
  sampler: new TailHeadSampler({ ratio: 0, perSecond: 0 }),
  spanProcessors: [processor],
}).getTracer('test')

/** A Fastify instance as the hooks see it: the hooks it is given, by name. */
const hooks = new Map<string, Hook>()
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  installRequestHooks(processor)
  channel('fastify.initialization').publish({
    fastify: { addHook: (name: string, hook: Hook) => hooks.set(name, hook) },
  })
})
afterAll(() => context.disable())

/** A request served under a span, as @fastify/otel decorates it. */
function request(withTraceparent: boolean) {
  const span = tracer.startSpan('PUT /inventory/:menuId', { kind: SpanKind.SERVER })
  return {
    span,
    request: {
      headers: withTraceparent ? { traceparent: '00-…' } : {},
      opentelemetry: () => ({ span, context: trace.setSpan(ROOT_CONTEXT, span) }),
    },
  }
}

function reply(statusCode: number) {
  const headers: Record<string, string> = {}
  return { statusCode, headers, header: (name: string, value: string) => (headers[name] = value) }
}

describe('every Fastify instance, through fastify.initialization', () => {
  it('gives routes that read a body the request’s context back before their validation and handler', () => {
    const onRoute = hooks.get('onRoute') as Hook
    const existing = () => undefined
    const post = { method: 'POST', preValidation: existing } as { method: string; preValidation: unknown }
    const get = { method: 'GET' } as { method: string; preValidation?: unknown }
    onRoute(post)
    onRoute(get)
    expect(get.preValidation).toBeUndefined()
    expect(Array.isArray(post.preValidation) && post.preValidation[1]).toBe(existing)
    const [reenter] = post.preValidation as Hook[]
    const { span, request: served } = request(false)
    let active: string | undefined
    reenter?.(served, reply(200), () => {
      active = trace.getActiveSpan()?.spanContext().spanId
    })
    expect(active).toBe(span.spanContext().spanId)
  })

  it('tells a calling service, in its answer, that this one keeps the trace (traceresponse)', () => {
    const onSend = hooks.get('onSend') as Hook
    const send = (withTraceparent: boolean, statusCode: number) => {
      const { span, request: served } = request(withTraceparent)
      const answer = reply(statusCode)
      let payload: unknown
      onSend(served, answer, 'body', (_error: unknown, sent: unknown) => {
        payload = sent
      })
      span.end()
      return { span, answer, payload }
    }
    const fine = send(true, 200)
    expect(fine.answer.headers).toEqual({})
    expect(fine.payload).toBe('body')
    const failed = send(true, 503)
    const { traceId, spanId } = failed.span.spanContext()
    expect(failed.answer.headers).toEqual({ traceresponse: `00-${traceId}-${spanId}-01` })
    // Nobody called it: nobody to tell.
    expect(send(false, 503).answer.headers).toEqual({})
  })
})

describe('undici calls, through undici:request:headers', () => {
  it('keeps a trace the called service said it kept', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const headers = (flags: string) => [
      Buffer.from('content-type'),
      Buffer.from('application/json'),
      Buffer.from('traceresponse'),
      Buffer.from(`00-${traceId}-00f067aa0ba902b7-${flags}`),
    ]
    channel('undici:request:headers').publish({ request: {}, response: { statusCode: 200, headers: headers('00') } })
    expect(processor.keeps(traceId)).toBe(false)
    channel('undici:request:headers').publish({ request: {}, response: { statusCode: 200, headers: headers('01') } })
    expect(processor.keeps(traceId)).toBe(true)
    expect(TraceFlags.SAMPLED).toBe(1)
  })
})
