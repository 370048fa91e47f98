/**
 * The store: spans grouped by trace while the trace is pending, each trace decided (sampling.ts)
 * decisionWaitMs after its last span came, then kept or dropped. Late spans follow their trace's
 * decision (dropped ids are remembered for that, `droppedMemory` of them). Everything held is
 * counted in estimated bytes (estimate.ts) and kept under maxBytes: past it, the ids of dropped
 * traces are forgotten first, then the oldest kept traces go, then (if pending traces alone
 * fill it) the pending ones that waited longest since their last span.
 */
import type { TraceStoreConfig } from '../config.ts'
import type { Batch } from '../otlp/normalize.ts'
import { DROPPED_ID_BYTES, estimateBytes, SPAN_OVERHEAD, stringBytes } from './estimate.ts'
import { Interner } from './intern.ts'
import { RouteLatencies } from './latency.ts'
import { type Decision, decide } from './sampling.ts'
import { HeldTrace, type KeepReason, microsOf, type ResourceEntry, type ScopeEntry, serviceOf } from './trace.ts'

export type TraceState = 'pending' | 'kept'

/** What the store tells its metrics. */
export interface StoreObserver {
  decided?(keep: boolean, reason: KeepReason | undefined): void
  evicted?(state: TraceState): void
  late?(decision: 'kept' | 'dropped', spans: number): void
}

export type Found =
  | { state: TraceState; trace: HeldTrace }
  | { state: 'dropped'; decidedAt: number }
  | { state: 'unknown' }

export class TraceStore {
  private readonly pending = new Map<string, HeldTrace>()
  private readonly kept = new Map<string, HeldTrace>()
  /** Ids of dropped traces and when they were dropped (Date.now()), oldest first. */
  private readonly dropped = new Map<string, number>()
  private readonly resources = new Interner<ResourceEntry>()
  private readonly scopes = new Interner<ScopeEntry>()
  private traceBytes = 0
  private timer: NodeJS.Timeout | undefined
  readonly latencies: RouteLatencies

  constructor(
    private readonly config: TraceStoreConfig,
    private readonly observer: StoreObserver = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.latencies = new RouteLatencies(config, now)
  }

  /** Decides the traces that are due every decisionTickMs, until stop(). */
  start(): void {
    this.timer ??= setInterval(() => {
      try {
        this.tick()
      } catch (error) {
        // A bug deciding one trace must not end the store: said on stderr, and the next tick goes on.
        process.emitWarning(error as Error, 'TraceStoreWarning')
      }
    }, this.config.decisionTickMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Estimated bytes held: traces (pending and kept), their resources and scopes, dropped ids. */
  get bytes(): number {
    return this.traceBytes + this.resources.bytes + this.scopes.bytes + this.dropped.size * DROPPED_ID_BYTES
  }

  get pendingCount(): number {
    return this.pending.size
  }

  get keptCount(): number {
    return this.kept.size
  }

  /** The kept traces, in the order they were kept (the oldest first: the next evicted). */
  keptTraces(): IterableIterator<HeldTrace> {
    return this.kept.values()
  }

  find(traceId: string): Found {
    const kept = this.kept.get(traceId)
    if (kept) return { state: 'kept', trace: kept }
    const pending = this.pending.get(traceId)
    if (pending) return { state: 'pending', trace: pending }
    const decidedAt = this.dropped.get(traceId)
    return decidedAt === undefined ? { state: 'unknown' } : { state: 'dropped', decidedAt }
  }

  /** Takes the spans of one export request. */
  ingest(batches: readonly Batch[]): void {
    const now = this.now()
    for (const batch of batches) {
      const resource = this.resources.acquire({
        resource: batch.resource,
        ...(batch.resourceSchemaUrl ? { schemaUrl: batch.resourceSchemaUrl } : {}),
        service: serviceOf(batch.resource),
      })
      const scope = this.scopes.acquire({
        scope: batch.scope,
        ...(batch.scopeSchemaUrl ? { schemaUrl: batch.scopeSchemaUrl } : {}),
      })
      for (const span of batch.spans) {
        let trace = this.kept.get(span.traceId)
        if (trace === undefined && this.dropped.has(span.traceId)) {
          this.observer.late?.('dropped', 1)
          continue
        }
        if (trace) {
          this.observer.late?.('kept', 1)
        } else {
          trace = this.pending.get(span.traceId)
          if (trace) this.pending.delete(span.traceId)
          else {
            trace = new HeldTrace(span.traceId)
            this.traceBytes += trace.bytes
          }
          // Re-inserted: the pending map stays ordered by last span, the first one due first.
          this.pending.set(trace.traceId, trace)
        }
        // Its spans share the trace's id string rather than holding one each.
        span.traceId = trace.traceId
        const bytes = estimateBytes(span) - stringBytes(span.traceId) + SPAN_OVERHEAD
        resource.refs += 1
        scope.refs += 1
        this.traceBytes += trace.add(
          {
            span,
            resource,
            scope,
            startUs: microsOf(span.startTimeUnixNano),
            endUs: microsOf(span.endTimeUnixNano),
            bytes,
          },
          now,
        )
      }
      // The references taken by acquire(): each span stored holds its own.
      this.resources.release(resource)
      this.scopes.release(scope)
    }
    this.enforceBound()
  }

  /** Decides every pending trace whose last span came decisionWaitMs ago or more. */
  tick(): void {
    const due = this.now() - this.config.decisionWaitMs
    for (const trace of this.pending.values()) {
      if (trace.lastSpanAt > due) break
      this.pending.delete(trace.traceId)
      const decision = this.decideSafely(trace)
      trace.decidedAt = Date.now()
      this.observer.decided?.(decision.keep, decision.reason)
      if (decision.keep) {
        trace.keptBecause = decision.reason
        trace.keptDetail = decision.detail
        const detailBytes = decision.detail === undefined ? 0 : stringBytes(decision.detail)
        trace.bytes += detailBytes
        this.traceBytes += detailBytes
        this.kept.set(trace.traceId, trace)
      } else {
        this.forget(trace)
        this.rememberDropped(trace.traceId, trace.decidedAt)
      }
    }
    this.enforceBound()
  }

  // A trace that cannot be decided (a bug) is kept, so it can be looked at, rather than lost.
  private decideSafely(trace: HeldTrace): Decision {
    try {
      return decide(trace, this.latencies, this.config)
    } catch (error) {
      process.emitWarning(error as Error, 'TraceStoreWarning')
      return { keep: true, reason: undefined, detail: `kept undecided: ${(error as Error).message}` }
    }
  }

  private rememberDropped(traceId: string, at: number): void {
    if (this.config.droppedMemory === 0) return
    this.dropped.set(traceId, at)
    if (this.dropped.size > this.config.droppedMemory) {
      const oldest = this.dropped.keys().next().value
      if (oldest !== undefined) this.dropped.delete(oldest)
    }
  }

  private forget(trace: HeldTrace): void {
    for (const held of trace.spans) {
      this.resources.release(held.resource)
      this.scopes.release(held.scope)
    }
    this.traceBytes -= trace.bytes
  }

  private enforceBound(): void {
    const { maxBytes } = this.config
    for (const id of this.dropped.keys()) {
      if (this.bytes <= maxBytes) return
      this.dropped.delete(id)
    }
    for (const [states, map] of [
      ['kept', this.kept],
      ['pending', this.pending],
    ] as const) {
      for (const trace of map.values()) {
        if (this.bytes <= maxBytes) return
        map.delete(trace.traceId)
        this.forget(trace)
        this.observer.evicted?.(states)
      }
    }
  }
}
