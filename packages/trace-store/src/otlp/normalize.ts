/**
 * An export request, decoded from protobuf (protobufjs' message objects) or parsed from OTLP JSON,
 * read into the spans the store holds (model.ts), grouped as they came: by resource, then scope.
 * A body that is not an export request at all is malformed (the whole request is answered 400);
 * a span whose ids are not ids is rejected alone (answered in partialSuccess), as a collector does.
 */
import type { AnyValue, KeyValue, Resource, Scope, Span, SpanEvent, SpanLink } from './model.ts'

/** Spans of one resource and one scope, as one ResourceSpans/ScopeSpans pair brought them. */
export interface Batch {
  resource: Resource
  resourceSchemaUrl: string | undefined
  scope: Scope
  scopeSchemaUrl: string | undefined
  spans: Span[]
}

export interface Normalized {
  batches: Batch[]
  accepted: number
  /** Rejected spans by reason (metrics' `reason` label). */
  rejected: Map<string, number>
  /** What was wrong with the first rejected span, for partialSuccess.errorMessage. */
  firstRejection: string | undefined
}

/** The body is no export request: answered 400 with this message, which names where. */
export class MalformedRequest extends Error {}

/** One span cannot be kept: `reason` is the metrics label, the message says why. */
class RejectedSpan extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message)
  }
}

// Deeper lists of lists in an attribute are no telemetry; stopping there bounds the recursion.
const MAX_VALUE_DEPTH = 16
const SPAN_KINDS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
]
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR']

type Fields = Record<string, unknown>

// A field is there when it is the object's own: protobufjs keeps defaults on the prototype.
const has = (object: Fields, key: string) => Object.hasOwn(object, key) && object[key] !== null

function record(value: unknown, path: string): Fields | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw new MalformedRequest(`${path} must be an object`)
  return value as Fields
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new MalformedRequest(`${path} must be an array`)
  return value
}

function text(object: Fields, key: string, path: string): string {
  if (!has(object, key)) return ''
  const value = object[key]
  if (typeof value !== 'string') throw new MalformedRequest(`${path}.${key} must be a string`)
  return value
}

function count(object: Fields, key: string, path: string): number {
  if (!has(object, key)) return 0
  const value = object[key]
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new MalformedRequest(`${path}.${key} must be a non-negative integer`)
  }
  return value
}

/** An enum: its number, or (as collectors accept in JSON) its name. */
function enumValue(object: Fields, key: string, names: readonly string[], path: string): number {
  if (!has(object, key)) return 0
  const value = object[key]
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value
  if (typeof value === 'string' && names.includes(value)) return names.indexOf(value)
  throw new MalformedRequest(`${path}.${key} must be one of 0…${names.length - 1} (${names.join(', ')})`)
}

/** A 64-bit integer (a number or a decimal string in JSON, a Long from protobufjs) as a decimal string. */
function int64(object: Fields, key: string, path: string, signed = false): string {
  if (!has(object, key)) return '0'
  const value = object[key]
  // A number past 2^53 has lost digits on the sender's side already; it is taken as it came.
  if (typeof value === 'number' && Number.isInteger(value) && (signed || value >= 0)) return BigInt(value).toString()
  if (typeof value === 'string' && (signed ? /^-?[0-9]{1,19}$/ : /^[0-9]{1,20}$/).test(value)) {
    return value.replace(/^(-?)0+(?=\d)/, '$1')
  }
  // protobufjs' Long (the `long` package): low and high words, and a decimal toString.
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) return String(value)
  throw new MalformedRequest(`${path}.${key} must be a ${signed ? '' : 'non-negative '}64-bit integer`)
}

/** An id: bytes from protobuf, hex in JSON (as OTLP JSON says); '' when absent, undefined when no id. */
function id(object: Fields, key: string, bytes: number): string | undefined {
  if (!has(object, key)) return ''
  const value = object[key]
  let hex: string | undefined
  if (value instanceof Uint8Array) {
    if (value.length === 0) return ''
    hex = value.length === bytes ? Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex') : undefined
  } else if (typeof value === 'string') {
    if (value === '') return ''
    hex = value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value) ? value.toLowerCase() : undefined
  }
  if (hex === undefined) return undefined
  return /^0+$/.test(hex) ? undefined : hex
}

function anyValue(raw: unknown, path: string, depth: number): AnyValue {
  if (depth > MAX_VALUE_DEPTH) throw new RejectedSpan('too_deep', `${path} nests more than ${MAX_VALUE_DEPTH} levels`)
  const value = record(raw, path)
  if (value === undefined) return {}
  if (has(value, 'stringValue')) return { stringValue: text(value, 'stringValue', path) }
  if (has(value, 'boolValue')) {
    if (typeof value.boolValue !== 'boolean') throw new MalformedRequest(`${path}.boolValue must be a boolean`)
    return { boolValue: value.boolValue }
  }
  if (has(value, 'intValue')) return { intValue: int64(value, 'intValue', path, true) }
  if (has(value, 'doubleValue')) {
    const double = value.doubleValue
    if (typeof double === 'number') return { doubleValue: double }
    if (double === 'NaN' || double === 'Infinity' || double === '-Infinity') return { doubleValue: double }
    throw new MalformedRequest(`${path}.doubleValue must be a number`)
  }
  if (has(value, 'bytesValue')) {
    const bytes = value.bytesValue
    if (bytes instanceof Uint8Array) return { bytesValue: Buffer.from(bytes).toString('base64') }
    return { bytesValue: text(value, 'bytesValue', path) }
  }
  if (has(value, 'arrayValue')) {
    const array = record(value.arrayValue, `${path}.arrayValue`) ?? {}
    const values = list(array.values, `${path}.arrayValue.values`)
    return {
      arrayValue: { values: values.map((item, i) => anyValue(item, `${path}.arrayValue.values[${i}]`, depth + 1)) },
    }
  }
  if (has(value, 'kvlistValue')) {
    const kvlist = record(value.kvlistValue, `${path}.kvlistValue`) ?? {}
    return { kvlistValue: { values: keyValues(kvlist.values, `${path}.kvlistValue.values`, depth + 1) } }
  }
  return {}
}

function keyValues(raw: unknown, path: string, depth = 0): KeyValue[] {
  return list(raw, path).map((item, i) => {
    const where = `${path}[${i}]`
    const pair = record(item, where) ?? {}
    return { key: text(pair, 'key', where), value: anyValue(pair.value, `${where}.value`, depth) }
  })
}

// Held values have one shape each, absent fields undefined rather than left out: V8 then builds
// every span alike (no spare property storage), and JSON.stringify still leaves them out.
const nonZero = (value: number) => (value > 0 ? value : undefined)
const nonEmpty = <T extends string | unknown[]>(value: T) => (value.length > 0 ? value : undefined)

function event(raw: unknown, path: string): SpanEvent {
  const object = record(raw, path) ?? {}
  return {
    timeUnixNano: int64(object, 'timeUnixNano', path),
    name: text(object, 'name', path),
    attributes: nonEmpty(keyValues(object.attributes, `${path}.attributes`)),
    droppedAttributesCount: nonZero(count(object, 'droppedAttributesCount', path)),
  }
}

function link(raw: unknown, path: string): SpanLink {
  const object = record(raw, path) ?? {}
  const traceId = id(object, 'traceId', 16)
  const spanId = id(object, 'spanId', 8)
  if (!traceId || !spanId) throw new RejectedSpan('invalid_link', `${path} does not name a span by valid ids`)
  return {
    traceId,
    spanId,
    traceState: nonEmpty(text(object, 'traceState', path)),
    attributes: nonEmpty(keyValues(object.attributes, `${path}.attributes`)),
    droppedAttributesCount: nonZero(count(object, 'droppedAttributesCount', path)),
    flags: nonZero(count(object, 'flags', path)),
  }
}

function span(raw: unknown, path: string): Span {
  const object = record(raw, path) ?? {}
  const traceId = id(object, 'traceId', 16)
  if (!traceId)
    throw new RejectedSpan('invalid_trace_id', `${path}.traceId is not 16 bytes (32 hex digits), not all zero`)
  const spanId = id(object, 'spanId', 8)
  if (!spanId) throw new RejectedSpan('invalid_span_id', `${path}.spanId is not 8 bytes (16 hex digits), not all zero`)
  const parentSpanId = id(object, 'parentSpanId', 8)
  if (parentSpanId === undefined) {
    throw new RejectedSpan(
      'invalid_parent_span_id',
      `${path}.parentSpanId is not 8 bytes (16 hex digits), not all zero`,
    )
  }
  const status = record(object.status, `${path}.status`) ?? {}
  return {
    traceId,
    spanId,
    parentSpanId: nonEmpty(parentSpanId),
    traceState: nonEmpty(text(object, 'traceState', path)),
    flags: nonZero(count(object, 'flags', path)),
    name: text(object, 'name', path),
    kind: enumValue(object, 'kind', SPAN_KINDS, path),
    startTimeUnixNano: int64(object, 'startTimeUnixNano', path),
    endTimeUnixNano: int64(object, 'endTimeUnixNano', path),
    attributes: keyValues(object.attributes, `${path}.attributes`),
    droppedAttributesCount: nonZero(count(object, 'droppedAttributesCount', path)),
    events: nonEmpty(list(object.events, `${path}.events`).map((item, i) => event(item, `${path}.events[${i}]`))),
    droppedEventsCount: nonZero(count(object, 'droppedEventsCount', path)),
    links: nonEmpty(list(object.links, `${path}.links`).map((item, i) => link(item, `${path}.links[${i}]`))),
    droppedLinksCount: nonZero(count(object, 'droppedLinksCount', path)),
    status: {
      code: enumValue(status, 'code', STATUS_CODES, `${path}.status`),
      message: nonEmpty(text(status, 'message', `${path}.status`)),
    },
  }
}

/** Reads an ExportTraceServiceRequest (decoded or parsed); throws MalformedRequest when it is none. */
export function normalizeRequest(request: unknown): Normalized {
  const top = record(request, 'the body')
  if (top === undefined) throw new MalformedRequest('the body must be an ExportTraceServiceRequest object')
  const result: Normalized = { batches: [], accepted: 0, rejected: new Map(), firstRejection: undefined }
  list(top.resourceSpans, 'resourceSpans').forEach((rawResourceSpans, r) => {
    const rsPath = `resourceSpans[${r}]`
    const resourceSpans = record(rawResourceSpans, rsPath) ?? {}
    const rawResource = record(resourceSpans.resource, `${rsPath}.resource`) ?? {}
    const resource: Resource = {
      attributes: keyValues(rawResource.attributes, `${rsPath}.resource.attributes`),
      droppedAttributesCount: nonZero(count(rawResource, 'droppedAttributesCount', `${rsPath}.resource`)),
    }
    const resourceSchemaUrl = text(resourceSpans, 'schemaUrl', rsPath) || undefined
    list(resourceSpans.scopeSpans, `${rsPath}.scopeSpans`).forEach((rawScopeSpans, s) => {
      const ssPath = `${rsPath}.scopeSpans[${s}]`
      const scopeSpans = record(rawScopeSpans, ssPath) ?? {}
      const rawScope = record(scopeSpans.scope, `${ssPath}.scope`) ?? {}
      const scope: Scope = {
        name: text(rawScope, 'name', `${ssPath}.scope`),
        version: nonEmpty(text(rawScope, 'version', `${ssPath}.scope`)),
        attributes: nonEmpty(keyValues(rawScope.attributes, `${ssPath}.scope.attributes`)),
        droppedAttributesCount: nonZero(count(rawScope, 'droppedAttributesCount', `${ssPath}.scope`)),
      }
      const spans: Span[] = []
      list(scopeSpans.spans, `${ssPath}.spans`).forEach((rawSpan, i) => {
        try {
          spans.push(span(rawSpan, `${ssPath}.spans[${i}]`))
        } catch (error) {
          if (!(error instanceof RejectedSpan)) throw error
          result.rejected.set(error.reason, (result.rejected.get(error.reason) ?? 0) + 1)
          result.firstRejection ??= error.message
        }
      })
      if (spans.length === 0) return
      result.accepted += spans.length
      const scopeSchemaUrl = text(scopeSpans, 'schemaUrl', ssPath) || undefined
      result.batches.push({ resource, resourceSchemaUrl, scope, scopeSchemaUrl, spans })
    })
  })
  return result
}
