/**
 * The API's query parameters, read strictly: an unknown or repeated parameter, or a value that
 * is not of its kind, is a 400 in the fleet's error shape naming the parameter (`details.parameter`),
 * with the closest known name when one was likely meant.
 */
import { badRequest } from '@food/errors'
import { notOneOf } from '@food/errors/suggest'
import { parseGoDuration } from './go-duration.ts'

export const invalid = (parameter: string, message: string) =>
  badRequest('INVALID_PARAMETER', `${parameter}: ${message}`, { parameter })

type Query = Record<string, unknown>

/** The parameters as single strings; every name not in `known` refused. */
export function readQuery(query: unknown, known: readonly string[], route: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [name, value] of Object.entries((query ?? {}) as Query)) {
    if (!known.includes(name)) {
      throw badRequest(
        'UNKNOWN_PARAMETER',
        `${notOneOf(name, known).replace('is not one of', `is not a parameter of ${route}:`)}`,
        { parameter: name },
      )
    }
    if (Array.isArray(value)) throw invalid(name, 'given more than once')
    values[name] = String(value)
  }
  return values
}

/** Unix seconds (Tempo's start and end). */
export function unixSeconds(values: Record<string, string>, name: string): number | undefined {
  const text = values[name]
  if (text === undefined) return undefined
  if (!/^\d{1,11}$/.test(text)) throw invalid(name, `\`${text}\` is not a time in unix seconds (e.g. 1700000000)`)
  return Number(text)
}

/** Unix milliseconds (our export's since and until). */
export function unixMillis(values: Record<string, string>, name: string): number | undefined {
  const text = values[name]
  if (text === undefined) return undefined
  if (!/^\d{1,14}$/.test(text))
    throw invalid(name, `\`${text}\` is not a time in unix milliseconds (e.g. 1700000000000)`)
  return Number(text)
}

export function positiveInteger(values: Record<string, string>, name: string, max: number): number | undefined {
  const text = values[name]
  if (text === undefined) return undefined
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw invalid(name, `\`${text}\` is not a whole number from 1 to ${max}`)
  }
  return Number(text)
}

/** A Go duration (`100ms`, `1.5s`), in nanoseconds. */
export function goDuration(values: Record<string, string>, name: string): number | undefined {
  const text = values[name]
  if (text === undefined) return undefined
  const nanos = parseGoDuration(text)
  if (nanos === undefined)
    throw invalid(name, `\`${text}\` is not a duration: write it as Go does, e.g. 100ms, 1.5s, 2m`)
  return nanos
}

/** start and end, the second not before the first. */
export function timeRange(values: Record<string, string>): { start: number | undefined; end: number | undefined } {
  const start = unixSeconds(values, 'start')
  const end = unixSeconds(values, 'end')
  if (start !== undefined && end !== undefined && end < start) throw invalid('end', `${end} is before start (${start})`)
  return { start, end }
}
