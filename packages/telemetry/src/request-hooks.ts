/**
 * What the bootstrap adds to every Fastify instance and undici call, through the diagnostics
 * channels both publish (no change to the services): the request's context for its handler, and,
 * under the tail policy, a trace kept downstream kept by its callers too (tail-sampling.ts).
 */
import { subscribe } from 'node:diagnostics_channel'
import { type Context, context, type Span, TraceFlags } from '@opentelemetry/api'
import type { tracing } from '@opentelemetry/sdk-node'
import type { TailSamplingProcessor } from './tail-sampling.ts'

/** The little of Fastify used here (this package does not depend on it). */
interface Request {
  headers: Record<string, string | string[] | undefined>
  /** @fastify/otel's: the request's span and the context holding it. */
  opentelemetry?: () => { span?: Span; context?: Context }
}
interface Reply {
  statusCode: number
  header(name: string, value: string): unknown
}
type Done = (error?: null, payload?: unknown) => void
type Hook = (request: Request, reply: Reply, done: Done) => void
interface RouteOptions {
  method: string | string[]
  preValidation?: Hook | Hook[]
}
interface Instance {
  addHook(name: 'onRoute', hook: (route: RouteOptions) => void): unknown
  addHook(name: 'onSend', hook: (request: Request, reply: Reply, payload: unknown, done: Done) => void): unknown
}

/** Methods whose requests carry a body, read after the request's first hooks. */
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Runs the rest of the request (validation, preHandler hooks, the handler) in the request span's context. */
const reenterRequestContext: Hook = (request, _reply, done) => {
  const requestContext = request.opentelemetry?.().context
  if (requestContext) context.with(requestContext, done)
  else done()
}

/** W3C Trace Context level 2: `traceresponse: 00-<trace id>-<span id>-<flags>`, flag 01 when the callee kept it. */
const TRACERESPONSE = 'traceresponse'
const TRACERESPONSE_FORMAT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/

let installed = false

export function installRequestHooks(tail: TailSamplingProcessor | undefined): void {
  if (installed) return
  installed = true
  subscribe('fastify.initialization', (message) => {
    const fastify = (message as { fastify: Instance }).fastify
    // @fastify/otel opens the request's span in onRequest and runs the rest of the request in its
    // context; it used to open a second span around the handler ("handler - …", the same name and
    // nearly the same time: a span nobody reads), which also re-entered that context. A body's
    // arrival can run outside it (a large one comes in later socket reads): routes that read one
    // get it back first thing after, without a span (their preHandler hooks, such as the order
    // service's caller check, and the handler run in it). Reads without a body never leave it.
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      if (!methods.some((method) => WITH_BODY.has(method))) return
      const existing = route.preValidation
      route.preValidation = [reenterRequestContext, ...(existing === undefined ? [] : [existing].flat())]
    })
    if (tail) {
      // A request that came with a `traceparent` (another service's call) and whose trace this
      // service keeps (it failed, a fault struck, it was slow) says so to its caller.
      fastify.addHook('onSend', (request, reply, payload, done) => {
        if (request.headers.traceparent !== undefined) {
          const span = request.opentelemetry?.().span
          const spanContext = span?.spanContext()
          if (
            span &&
            spanContext &&
            !(spanContext.traceFlags & TraceFlags.SAMPLED) &&
            tail.keepsBeforeEnd(span as unknown as tracing.ReadableSpan, reply.statusCode)
          ) {
            reply.header(TRACERESPONSE, `00-${spanContext.traceId}-${spanContext.spanId}-01`)
          }
        }
        done(null, payload)
      })
    }
  })
  if (tail) {
    // The caller's side: undici's response headers, before the call's span ends.
    subscribe('undici:request:headers', (message) => {
      const headers = (message as { response?: { headers?: (Buffer | string)[] } }).response?.headers ?? []
      for (let i = 0; i + 1 < headers.length; i += 2) {
        const name = headers[i] as Buffer | string
        if (name.length !== TRACERESPONSE.length || name.toString().toLowerCase() !== TRACERESPONSE) continue
        const match = TRACERESPONSE_FORMAT.exec(String(headers[i + 1]))
        if (match && Number.parseInt(match[2] as string, 16) & TraceFlags.SAMPLED) {
          tail.keepTrace(match[1] as string, 'downstream')
        }
      }
    })
  }
}
