/**
 * The spans as the store holds and answers them: OTLP JSON (the protocol's JSON encoding: lower
 * camel case, trace and span ids in lower-case hex, 64-bit integers as decimal strings, enums as
 * numbers), whichever encoding they arrived in. Fields at their default are left out, as OTLP
 * JSON allows, except `attributes`, `kind` and `status`, which every reader looks at.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox'

const Uint64 = Type.String({ pattern: '^[0-9]{1,20}$', description: 'a 64-bit unsigned integer, in decimal' })
const HexId = (bytes: number) => Type.String({ pattern: `^[0-9a-f]{${bytes * 2}}$` })

const keyValue = <T extends TSchema>(value: T) => Type.Object({ key: Type.String(), value: value })

export const AnyValue = Type.Recursive(
  (This) =>
    Type.Object({
      stringValue: Type.Optional(Type.String()),
      boolValue: Type.Optional(Type.Boolean()),
      intValue: Type.Optional(Type.String({ pattern: '^-?[0-9]{1,19}$' })),
      doubleValue: Type.Optional(Type.Union([Type.Number(), Type.String({ description: 'NaN, Infinity, -Infinity' })])),
      bytesValue: Type.Optional(Type.String({ description: 'base64' })),
      arrayValue: Type.Optional(Type.Object({ values: Type.Array(This) })),
      kvlistValue: Type.Optional(Type.Object({ values: Type.Array(keyValue(This)) })),
    }),
  { $id: 'AnyValue' },
)
export type AnyValue = Static<typeof AnyValue>

export const KeyValue = keyValue(AnyValue)
export type KeyValue = Static<typeof KeyValue>

export const Resource = Type.Object({
  attributes: Type.Array(KeyValue),
  droppedAttributesCount: Type.Optional(Type.Integer({ minimum: 0 })),
})
export type Resource = Static<typeof Resource>

export const Scope = Type.Object({
  name: Type.String(),
  version: Type.Optional(Type.String()),
  attributes: Type.Optional(Type.Array(KeyValue)),
  droppedAttributesCount: Type.Optional(Type.Integer({ minimum: 0 })),
})
export type Scope = Static<typeof Scope>

export const SpanEvent = Type.Object({
  timeUnixNano: Uint64,
  name: Type.String(),
  attributes: Type.Optional(Type.Array(KeyValue)),
  droppedAttributesCount: Type.Optional(Type.Integer({ minimum: 0 })),
})
export type SpanEvent = Static<typeof SpanEvent>

export const SpanLink = Type.Object({
  traceId: HexId(16),
  spanId: HexId(8),
  traceState: Type.Optional(Type.String()),
  attributes: Type.Optional(Type.Array(KeyValue)),
  droppedAttributesCount: Type.Optional(Type.Integer({ minimum: 0 })),
  flags: Type.Optional(Type.Integer({ minimum: 0 })),
})
export type SpanLink = Static<typeof SpanLink>

/** OTLP's Status.code: 0 unset, 1 ok, 2 error. */
export const STATUS_ERROR = 2

export const Span = Type.Object({
  traceId: HexId(16),
  spanId: HexId(8),
  parentSpanId: Type.Optional(HexId(8)),
  traceState: Type.Optional(Type.String()),
  flags: Type.Optional(Type.Integer({ minimum: 0 })),
  name: Type.String(),
  kind: Type.Integer({
    minimum: 0,
    maximum: 5,
    description: '0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer',
  }),
  startTimeUnixNano: Uint64,
  endTimeUnixNano: Uint64,
  attributes: Type.Array(KeyValue),
  droppedAttributesCount: Type.Optional(Type.Integer({ minimum: 0 })),
  events: Type.Optional(Type.Array(SpanEvent)),
  droppedEventsCount: Type.Optional(Type.Integer({ minimum: 0 })),
  links: Type.Optional(Type.Array(SpanLink)),
  droppedLinksCount: Type.Optional(Type.Integer({ minimum: 0 })),
  status: Type.Object({ code: Type.Integer({ minimum: 0, maximum: 2 }), message: Type.Optional(Type.String()) }),
})
export type Span = Static<typeof Span>

/** OTLP's ResourceSpans, as answered: one resource, its scopes, each with its spans. */
export const ResourceSpans = Type.Object({
  resource: Resource,
  schemaUrl: Type.Optional(Type.String()),
  scopeSpans: Type.Array(
    Type.Object({ scope: Scope, schemaUrl: Type.Optional(Type.String()), spans: Type.Array(Span) }),
  ),
})
export type ResourceSpans = Static<typeof ResourceSpans>

/** The value of an attribute as text (what search matches and tag values list); undefined for lists and maps. */
export function scalarText(value: AnyValue | undefined): string | undefined {
  if (value === undefined) return undefined
  if (value.stringValue !== undefined) return value.stringValue
  if (value.intValue !== undefined) return value.intValue
  if (value.boolValue !== undefined) return String(value.boolValue)
  if (value.doubleValue !== undefined) return String(value.doubleValue)
  return undefined
}

/** The attribute `key` of a list, as text. */
export const attributeText = (attributes: readonly KeyValue[] | undefined, key: string): string | undefined =>
  scalarText(attributes?.find((attribute) => attribute.key === key)?.value)
