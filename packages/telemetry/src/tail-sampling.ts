/**
 * `OTEL_TRACES_SAMPLER=tail`: each service records every trace and exports only those a collector's
 * tail sampling would keep (docs/observability.md#which-traces-are-kept), so the spans left out cost
 * their recording, not their encoding and sending, nor a receiver's decoding.
 *
 * - At the head (the service where a trace begins), `TailHeadSampler` keeps a share of the traces
 *   by trace id, and the first few of each second: those are sampled (W3C `traceparent` flag 01),
 *   exported as they end, and every service downstream follows the flag. The others are recorded
 *   only (flag 00) until their outcome is known.
 * - `TailSamplingProcessor` holds a recorded-only trace's spans until its local root (the request's
 *   server span, or a root span) ends, then keeps them if one of them failed (status ERROR), carries a
 *   `chaos.injected` event, a service it called said it kept the trace (`traceresponse`), or the local
 *   root took longer than its route's recent p99; else they are dropped.
 *
 * A decision taken in one service sees only that service's spans. A service that keeps a trace
 * tells its caller in the response (`traceresponse` flag 01, request-hooks.ts), so the caller keeps
 * its part too, and tells the services it calls from then on (`traceparent` flag 01,
 * `KeptTraceContextPropagator`), which keep theirs; but the calls that ended before the trace was
 * found worth keeping (a payment that fails after the stock was reserved) had their spans dropped
 * in the services they reached: the trace shows them as the caller's client spans only.
 */
import {
  type Attributes,
  type Context,
  INVALID_TRACEID,
  SpanStatusCode,
  type TextMapSetter,
  TraceFlags,
  trace,
} from '@opentelemetry/api'
import { core, tracing } from '@opentelemetry/sdk-node'
import { type TailSettings, traceInShare } from './settings.ts'

type ReadableSpan = tracing.ReadableSpan
type SpanProcessor = tracing.SpanProcessor
type SamplingResult = tracing.SamplingResult

/** Why a recorded-only trace was kept; exported on its local root as `sampling.kept_because`. */
export type KeptBecause = 'error' | 'chaos' | 'slow' | 'downstream'

export const KEPT_ATTRIBUTE = 'sampling.kept_because'

/** Head sampling of the tail policy: the share by trace id, and the first `perSecond` traces of each second. */
export class TailHeadSampler implements tracing.Sampler {
  #secondEnds = 0
  #keptThisSecond = 0

  constructor(
    readonly settings: TailSettings,
    private readonly now: () => number = Date.now,
  ) {}

  shouldSample(context: Context, traceId: string): SamplingResult {
    const parent = trace.getSpanContext(context)
    // Inside a trace (a remote caller's or this service's own span): follow the decision made at its
    // head. (Its ids were checked where it was made, or read from `traceparent`: no regular
    // expressions again for every span, as isSpanContextValid runs.)
    if (parent && parent.traceId !== INVALID_TRACEID) {
      return { decision: parent.traceFlags & TraceFlags.SAMPLED ? SAMPLED : RECORD_ONLY }
    }
    return { decision: this.keepsAtHead(traceId) ? SAMPLED : RECORD_ONLY }
  }

  private keepsAtHead(traceId: string): boolean {
    if (traceInShare(traceId, this.settings.ratio)) return true
    if (this.settings.perSecond === 0) return false
    const now = this.now()
    if (now >= this.#secondEnds) {
      this.#secondEnds = now + 1000
      this.#keptThisSecond = 0
    }
    if (this.#keptThisSecond >= this.settings.perSecond) return false
    this.#keptThisSecond++
    return true
  }

  toString(): string {
    return `TailHeadSampler{ratio=${this.settings.ratio}, perSecond=${this.settings.perSecond}}`
  }
}

const SAMPLED = tracing.SamplingDecision.RECORD_AND_SAMPLED
const RECORD_ONLY = tracing.SamplingDecision.RECORD

/** Spans of one recorded-only trace in this service, waiting for its local root. */
interface Pending {
  spans: ReadableSpan[]
  keptBecause: KeptBecause | undefined
}

/** What a span says by itself: it failed, or a fault was injected in it. */
function keptBecauseOf(span: {
  status: { code: SpanStatusCode }
  events: { name: string }[]
}): KeptBecause | undefined {
  if (span.status.code === SpanStatusCode.ERROR) return 'error'
  for (const event of span.events) if (event.name === 'chaos.injected') return 'chaos'
  return undefined
}

/** The span this service's part of a trace hangs from: its parent is in another process, or it has none. */
const isLocalRoot = (span: ReadableSpan) =>
  span.parentSpanContext === undefined || span.parentSpanContext.isRemote === true

const milliseconds = ([seconds, nanos]: [number, number]) => seconds * 1e3 + nanos / 1e6

/** A route's recent latencies (its local roots' durations), and their p99. */
class RouteLatency {
  static readonly WINDOW = 1000
  /** Fewer roots than this: no p99 yet, nothing counts as slow. */
  static readonly MIN_SAMPLES = 100
  /** The p99 is sorted anew after this many roots. */
  static readonly RESORT_EVERY = 100

  readonly #window = new Float64Array(RouteLatency.WINDOW)
  #next = 0
  #filled = 0
  #sinceSorted = 0
  #p99 = Number.POSITIVE_INFINITY

  isSlow(ms: number): boolean {
    return ms > this.#p99
  }

  add(ms: number): void {
    this.#window[this.#next] = ms
    this.#next = (this.#next + 1) % RouteLatency.WINDOW
    if (this.#filled < RouteLatency.WINDOW) this.#filled++
    if (++this.#sinceSorted < RouteLatency.RESORT_EVERY || this.#filled < RouteLatency.MIN_SAMPLES) return
    this.#sinceSorted = 0
    const sorted = this.#window.slice(0, this.#filled).sort()
    this.#p99 = sorted[Math.ceil(0.99 * this.#filled) - 1] as number
  }
}

export interface TailCounts {
  /** Local roots kept, by why (`share`: sampled at the head). */
  kept: Record<KeptBecause | 'share', number>
  /** Local roots whose spans were dropped. */
  dropped: number
  /** Traces dropped unfinished to bound the memory held (their local root never ended in time). */
  evicted: number
}

/**
 * Exports sampled spans as they end (to `exporters`, the SDK's batch processors), and holds the
 * others until their trace's local root ends, then keeps or drops them (see the module's comment).
 * Memory is bounded: at most `maxPendingTraces` unfinished traces (the oldest dropped first) and
 * `maxSpansPerTrace` spans each.
 */
export class TailSamplingProcessor implements SpanProcessor {
  readonly counts: TailCounts = {
    kept: { share: 0, error: 0, chaos: 0, slow: 0, downstream: 0 },
    dropped: 0,
    evicted: 0,
  }
  readonly #pending = new Map<string, Pending>()
  /** Traces kept here lately: their spans that end later (another request of the same trace) are kept too. */
  readonly #kept = new Set<string>()
  readonly #latency = new Map<string, RouteLatency>()

  constructor(
    private readonly exporters: SpanProcessor[],
    private readonly limits = { maxPendingTraces: 4096, maxSpansPerTrace: 512, maxKeptTraces: 4096, maxRoutes: 256 },
  ) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const { traceId, traceFlags } = span.spanContext()
    const localRoot = isLocalRoot(span)
    if (traceFlags & TraceFlags.SAMPLED) {
      if (localRoot) {
        this.#latencyOf(span.name)?.add(milliseconds(span.duration))
        this.counts.kept.share++
      }
      this.#export(span)
      return
    }
    if (this.#kept.has(traceId)) {
      if (localRoot) this.#latencyOf(span.name)?.add(milliseconds(span.duration))
      this.#export(asSampled(span))
      return
    }
    const pending = this.#pendingOf(traceId)
    if (pending.spans.length < this.limits.maxSpansPerTrace) pending.spans.push(span)
    pending.keptBecause ??= keptBecauseOf(span)
    if (!localRoot) return
    this.#pending.delete(traceId)
    const duration = milliseconds(span.duration)
    const latency = this.#latencyOf(span.name)
    const keptBecause = pending.keptBecause ?? (latency?.isSlow(duration) ? 'slow' : undefined)
    latency?.add(duration)
    if (keptBecause === undefined) {
      this.counts.dropped++
      return
    }
    this.counts.kept[keptBecause]++
    // Said on the root, for whoever reads the trace (and a store that keeps what it is sent).
    ;(span.attributes as Attributes)[KEPT_ATTRIBUTE] = keptBecause
    this.#remember(traceId)
    for (const each of pending.spans) this.#export(asSampled(each))
  }

  /**
   * Whether this service keeps the trace of `span`, a local root not ended yet (a request about to
   * be answered with `statusCode`): what its trace holds so far, the span itself, its status, and how
   * long it has run against its route's p99. A trace found worth keeping is kept from now on.
   */
  keepsBeforeEnd(span: ReadableSpan, statusCode: number): boolean {
    const { traceId, traceFlags } = span.spanContext()
    if (traceFlags & TraceFlags.SAMPLED || this.#kept.has(traceId)) return true
    const keptBecause =
      this.#pending.get(traceId)?.keptBecause ??
      keptBecauseOf(span) ??
      (statusCode >= 500 ? 'error' : undefined) ??
      (this.#latencyOf(span.name)?.isSlow(Date.now() - milliseconds(span.startTime)) ? 'slow' : undefined)
    if (keptBecause !== undefined) this.keepTrace(traceId, keptBecause)
    return keptBecause !== undefined
  }

  /** Whether this service keeps the trace already (sampled at its head, or found worth keeping so far). */
  keeps(traceId: string): boolean {
    return this.#kept.has(traceId) || this.#pending.get(traceId)?.keptBecause !== undefined
  }

  /** Keeps the trace `traceId` when its local root ends (e.g. a service it called kept it). */
  keepTrace(traceId: string, because: KeptBecause): void {
    if (this.#kept.has(traceId)) return
    this.#pendingOf(traceId).keptBecause ??= because
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.exporters.map((exporter) => exporter.forceFlush()))
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.exporters.map((exporter) => exporter.shutdown()))
  }

  #export(span: ReadableSpan): void {
    for (const exporter of this.exporters) exporter.onEnd(span)
  }

  #pendingOf(traceId: string): Pending {
    let pending = this.#pending.get(traceId)
    if (pending) return pending
    if (this.#pending.size >= this.limits.maxPendingTraces) {
      const oldest = this.#pending.keys().next().value as string
      this.#pending.delete(oldest)
      this.counts.evicted++
    }
    pending = { spans: [], keptBecause: undefined }
    this.#pending.set(traceId, pending)
    return pending
  }

  #remember(traceId: string): void {
    this.#kept.add(traceId)
    if (this.#kept.size > this.limits.maxKeptTraces) this.#kept.delete(this.#kept.values().next().value as string)
  }

  /** The route's latencies, by its local root's name (`GET /menus/:id`); none past `maxRoutes` names. */
  #latencyOf(name: string): RouteLatency | undefined {
    let latency = this.#latency.get(name)
    if (!latency && this.#latency.size < this.limits.maxRoutes) {
      latency = new RouteLatency()
      this.#latency.set(name, latency)
    }
    return latency
  }
}

/**
 * A recorded-only span as the exporters take it: sampled (flag 01, which it now is). The batch
 * processor skips spans without the flag; the view shares everything else with the span.
 */
function asSampled(span: ReadableSpan): ReadableSpan {
  const context = span.spanContext()
  const sampled = { ...context, traceFlags: context.traceFlags | TraceFlags.SAMPLED }
  const view = Object.create(span) as ReadableSpan & { spanContext: () => typeof sampled }
  view.spanContext = () => sampled
  return view
}

/**
 * W3C Trace Context, with one addition: a call made in a trace this service already keeps carries
 * the sampled flag, so the service it reaches keeps its part as it would at the head.
 */
export class KeptTraceContextPropagator extends core.W3CTraceContextPropagator {
  constructor(private readonly tail: TailSamplingProcessor) {
    super()
  }

  override inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context)
    if (spanContext && !(spanContext.traceFlags & TraceFlags.SAMPLED) && this.tail.keeps(spanContext.traceId)) {
      context = trace.setSpanContext(context, {
        ...spanContext,
        traceFlags: spanContext.traceFlags | TraceFlags.SAMPLED,
      })
    }
    super.inject(context, carrier, setter)
  }
}
