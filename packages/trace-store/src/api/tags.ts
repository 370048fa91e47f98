/**
 * Tempo's tag discovery: the tag names search can use, by scope (`/api/search/tags`, and
 * `/api/v2/search/tags` grouped by scope), and the values a tag has (`/api/search/tag/<tag>/values`),
 * read from the kept traces in the time range.
 */
import { notOneOf } from '@food/errors/suggest'
import { type KeyValue, scalarText } from '../otlp/model.ts'
import type { HeldTrace } from '../store/trace.ts'
import { invalid, positiveInteger, readQuery, timeRange } from './params.ts'
import { CHAOS_TAG, INTRINSIC_TAGS, inRange, KINDS } from './search.ts'

const SCOPES = ['resource', 'span', 'intrinsic', 'event', 'link', 'instrumentation'] as const
type TagScope = (typeof SCOPES)[number]
const MAX_TAGS = 10_000
const DEFAULT_TAGS = 1000
const STATUS_NAMES = ['unset', 'ok', 'error']

export interface TagQuery {
  scopes: readonly TagScope[]
  start: number | undefined
  end: number | undefined
  limit: number
}

/** The query of a tags route; `everyScope`: what no scope means (v2: all of them; v1: resource and span, as Tempo). */
export function parseTagQuery(query: unknown, route: string, withScope: boolean, everyScope = false): TagQuery {
  const values = readQuery(query, withScope ? ['scope', 'start', 'end', 'limit'] : ['start', 'end', 'limit'], route)
  const scope = values.scope ?? 'all'
  if (scope !== 'all' && !(SCOPES as readonly string[]).includes(scope)) {
    throw invalid('scope', notOneOf(scope, ['all', ...SCOPES], 'scope'))
  }
  return {
    scopes: scope !== 'all' ? [scope as TagScope] : values.scope || everyScope ? SCOPES : ['resource', 'span'],
    ...timeRange(values),
    limit: positiveInteger(values, 'limit', MAX_TAGS) ?? DEFAULT_TAGS,
  }
}

const keysOf = (attributes: readonly KeyValue[] | undefined, into: Set<string>) => {
  for (const attribute of attributes ?? []) into.add(attribute.key)
}

/** The tag names of each scope asked for, sorted, at most `limit` a scope. */
export function tagNames(traces: Iterable<HeldTrace>, query: TagQuery): Map<TagScope, string[]> {
  const names = new Map(query.scopes.map((scope) => [scope, new Set<string>()]))
  for (const trace of traces) {
    if (!inRange(trace, query.start, query.end)) continue
    for (const held of trace.spans) {
      keysOf(held.resource.value.resource.attributes, names.get('resource') ?? new Set())
      keysOf(held.span.attributes, names.get('span') ?? new Set())
      keysOf(held.scope.value.scope.attributes, names.get('instrumentation') ?? new Set())
      for (const event of held.span.events ?? []) keysOf(event.attributes, names.get('event') ?? new Set())
      for (const link of held.span.links ?? []) keysOf(link.attributes, names.get('link') ?? new Set())
    }
  }
  for (const name of INTRINSIC_TAGS) names.get('intrinsic')?.add(name)
  return new Map([...names].map(([scope, set]) => [scope, [...set].sort().slice(0, query.limit)]))
}

/** The values `tag` takes in the kept traces, sorted, at most `limit`. */
export function tagValues(traces: Iterable<HeldTrace>, tag: string, query: TagQuery): string[] {
  const values = new Set<string>()
  const add = (value: string | undefined) => {
    if (value !== undefined && values.size < query.limit) values.add(value)
  }
  for (const trace of traces) {
    if (!inRange(trace, query.start, query.end)) continue
    for (const held of trace.spans) {
      if (values.size >= query.limit) break
      const { span } = held
      if (tag === 'name') add(span.name)
      else if (tag === 'status') add(STATUS_NAMES[span.status.code])
      else if (tag === 'kind') add(KINDS[span.kind])
      else if (tag === CHAOS_TAG) add(String(span.events?.some((event) => event.name === CHAOS_TAG) ?? false))
      else {
        add(scalarText(span.attributes.find((attribute) => attribute.key === tag)?.value))
        add(scalarText(held.resource.value.resource.attributes.find((attribute) => attribute.key === tag)?.value))
      }
    }
  }
  return [...values].sort()
}
