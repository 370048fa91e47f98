/**
 * A held trace as OTLP's ResourceSpans: its spans grouped back under their resource and scope,
 * each group in the order its first span came. As JSON (hex ids, OTLP JSON), or as protobuf
 * (TracesData, which is what Tempo's trace-by-id answers to `Accept: application/protobuf`).
 */
import type { ResourceSpans } from '../otlp/model.ts'
import { TraceByIDResponse, TracesData } from '../otlp/proto.ts'
import type { HeldTrace } from '../store/trace.ts'

export function resourceSpansOf(trace: HeldTrace): ResourceSpans[] {
  const byResource = new Map<unknown, ResourceSpans>()
  const byScope = new Map<string, ResourceSpans['scopeSpans'][number]>()
  for (const held of trace.spans) {
    let resourceSpans = byResource.get(held.resource)
    if (resourceSpans === undefined) {
      const { resource, schemaUrl } = held.resource.value
      resourceSpans = { resource, ...(schemaUrl ? { schemaUrl } : {}), scopeSpans: [] }
      byResource.set(held.resource, resourceSpans)
    }
    const scopeKey = `${held.resource.key}\u0000${held.scope.key}`
    let scopeSpans = byScope.get(scopeKey)
    if (scopeSpans === undefined) {
      const { scope, schemaUrl } = held.scope.value
      scopeSpans = { scope, ...(schemaUrl ? { schemaUrl } : {}), spans: [] }
      byScope.set(scopeKey, scopeSpans)
      resourceSpans.scopeSpans.push(scopeSpans)
    }
    scopeSpans.spans.push(held.span)
  }
  return [...byResource.values()]
}

const bytesOf = (hex: string | undefined) => (hex ? Buffer.from(hex, 'hex') : undefined)

/** OTLP JSON's ids (hex) as protobuf's bytes; everything else protobufjs' fromObject reads as is. */
function forProtobuf(resourceSpans: ResourceSpans[]) {
  return resourceSpans.map((group) => ({
    ...group,
    scopeSpans: group.scopeSpans.map((scopeSpans) => ({
      ...scopeSpans,
      spans: scopeSpans.spans.map((span) => ({
        ...span,
        traceId: bytesOf(span.traceId),
        spanId: bytesOf(span.spanId),
        parentSpanId: bytesOf(span.parentSpanId),
        links: span.links?.map((link) => ({ ...link, traceId: bytesOf(link.traceId), spanId: bytesOf(link.spanId) })),
      })),
    })),
  }))
}

/** Tempo's v1 protobuf answer: the trace (wire-identical to TracesData). */
export function traceProtobuf(trace: HeldTrace): Buffer {
  const message = TracesData.fromObject({ resourceSpans: forProtobuf(resourceSpansOf(trace)) })
  return Buffer.from(TracesData.encode(message).finish())
}

/** Tempo's v2 protobuf answer: TraceByIDResponse { trace }. */
export function traceByIdProtobuf(trace: HeldTrace): Buffer {
  const message = TraceByIDResponse.fromObject({ trace: { resourceSpans: forProtobuf(resourceSpansOf(trace)) } })
  return Buffer.from(TraceByIDResponse.encode(message).finish())
}
