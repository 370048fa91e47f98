/**
 * The tail-sampling decision on a whole trace, as an SRE would configure a collector's
 * tail_sampling processor: keep every trace with an error status, with a span event named in
 * `keepEvents` (chaos.injected: a fault struck it), or whose root took longer than its route's
 * recent p99; of the rest, keep `sampleShare`, chosen by trace id so a trace is always decided alike.
 */
import { attributeText, STATUS_ERROR } from '../otlp/model.ts'
import type { RouteLatencies } from './latency.ts'
import type { HeldTrace, KeepReason } from './trace.ts'

export interface SamplingOptions {
  sampleShare: number
  keepEvents: readonly string[]
}

export interface Decision {
  keep: boolean
  reason: KeepReason | undefined
  detail: string | undefined
}

/**
 * Whether the trace id falls in the kept share: its rightmost 52 bits (W3C trace ids are random
 * there; 52 bits are exact in a double) as a fraction of 2^52, below the share.
 */
export function inShare(traceId: string, share: number): boolean {
  if (share >= 1) return true
  if (share <= 0) return false
  return Number.parseInt(traceId.slice(-13), 16) < share * 2 ** 52
}

/** The route a root span serves: its `http.route` (a template, bounded), else its name. */
export const routeOf = (service: string, attributes: Parameters<typeof attributeText>[0], name: string) =>
  `${service} ${attributeText(attributes, 'http.route') ?? name}`

const ms = (nanos: number) => `${(nanos / 1e6).toFixed(nanos < 1e7 ? 2 : 0)} ms`

export function decide(trace: HeldTrace, latencies: RouteLatencies, options: SamplingOptions): Decision {
  const { root } = trace.summary()
  // Every root counts in its route's latency, kept or not: the p99 is the route's, not the store's.
  let slow: string | undefined
  if (root) {
    const route = routeOf(root.resource.value.service, root.span.attributes, root.span.name)
    const nanos = Number(BigInt(root.span.endTimeUnixNano) - BigInt(root.span.startTimeUnixNano))
    const verdict = latencies.judge(route, Math.max(0, nanos))
    if (verdict.slow) slow = `root ${ms(nanos)} > p99 ${ms(verdict.p99Nanos ?? 0)} of ${route}`
  }
  const failed = trace.spans.find((held) => held.span.status.code === STATUS_ERROR)
  if (failed) return { keep: true, reason: 'error', detail: `span ${failed.span.name} has an error status` }
  for (const held of trace.spans) {
    const event = held.span.events?.find((candidate) => options.keepEvents.includes(candidate.name))
    if (event) return { keep: true, reason: 'event', detail: `span ${held.span.name} has an event ${event.name}` }
  }
  if (slow) return { keep: true, reason: 'slow', detail: slow }
  if (inShare(trace.traceId, options.sampleShare)) {
    return { keep: true, reason: 'share', detail: `in the kept share (${options.sampleShare})` }
  }
  return { keep: false, reason: undefined, detail: undefined }
}
