/**
 * A trace as held: its spans, each with the (interned) resource and scope it came with, what it
 * costs (estimate.ts), and the summary search and sampling read (root, service, times).
 */
import { attributeText, type Resource, type Scope, type Span } from '../otlp/model.ts'
import { SLOT, TRACE_OVERHEAD } from './estimate.ts'
import type { Interned } from './intern.ts'

export interface ResourceEntry {
  resource: Resource
  schemaUrl?: string
  /** `service.name`, read once. */
  service: string
}
export interface ScopeEntry {
  scope: Scope
  schemaUrl?: string
}

export interface HeldSpan {
  span: Span
  resource: Interned<ResourceEntry>
  scope: Interned<ScopeEntry>
  /** Start and end in microseconds since the epoch: exact in a double, and enough to order and filter by. */
  startUs: number
  endUs: number
  bytes: number
}

/** Why a trace was kept: an error, one of `keepEvents`, its root above its route's p99, or the share. */
export type KeepReason = 'error' | 'event' | 'slow' | 'share'

/** Tempo's name for the service of a trace whose root span never came. */
export const NO_ROOT_SERVICE = '<root span not yet received>'

export interface TraceSummary {
  traceID: string
  /** The span without a parent (the earliest, if several); undefined when it never came. */
  root: HeldSpan | undefined
  rootServiceName: string
  rootTraceName: string
  startUs: number
  endUs: number
  startTimeUnixNano: string
  /** From the earliest start to the latest end. */
  durationNanos: number
}

export const microsOf = (nanos: string): number => Number(BigInt(nanos) / 1000n)

export const serviceOf = (resource: Resource): string =>
  attributeText(resource.attributes, 'service.name') ?? 'unknown_service'

export class HeldTrace {
  readonly spans: HeldSpan[] = []
  bytes = TRACE_OVERHEAD
  /** When its last span arrived (performance.now()): it is decided decisionWaitMs after. */
  lastSpanAt = 0
  keptBecause: KeepReason | undefined
  /** What made it kept, in words ("span event chaos.injected", "root 812 ms > p99 95 ms of order POST /orders"). */
  keptDetail: string | undefined
  /** When it was decided (Date.now()). */
  decidedAt: number | undefined
  private cached: TraceSummary | undefined
  /** The slots V8 gave `spans`: it grows an array by half again and 16, so the spare ones cost too. */
  private capacity = 0

  constructor(readonly traceId: string) {}

  /** Adds a span; the bytes that cost (the span's, and the list's growth). */
  add(span: HeldSpan, now: number): number {
    this.spans.push(span)
    let added = span.bytes
    if (this.spans.length > this.capacity) {
      const grown = this.spans.length + (this.spans.length >> 1) + 16
      added += (grown - this.capacity) * SLOT
      this.capacity = grown
    }
    this.bytes += added
    this.lastSpanAt = now
    this.cached = undefined
    return added
  }

  summary(): TraceSummary {
    if (this.cached) return this.cached
    let root: HeldSpan | undefined
    let first = this.spans[0] as HeldSpan
    let last = first
    for (const held of this.spans) {
      if (held.startUs < first.startUs) first = held
      if (held.endUs > last.endUs) last = held
      if (held.span.parentSpanId === undefined && (root === undefined || held.startUs < root.startUs)) root = held
    }
    const nanos = BigInt(last.span.endTimeUnixNano) - BigInt(first.span.startTimeUnixNano)
    this.cached = {
      traceID: this.traceId,
      root,
      rootServiceName: root ? root.resource.value.service : NO_ROOT_SERVICE,
      rootTraceName: root ? root.span.name : '',
      startUs: first.startUs,
      endUs: Math.max(last.endUs, first.startUs),
      startTimeUnixNano: first.span.startTimeUnixNano,
      durationNanos: nanos > 0n ? Number(nanos) : 0,
    }
    return this.cached
  }
}
