/**
 * Whether a probe's output is within its tolerance, as Chaos Toolkit decides
 * (docs/experiments.md#tolerances).
 */
import { JSONPath } from 'jsonpath-plus'
import type { Tolerance } from './format.ts'

type Output = unknown

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Per-series values of a prometheus probe: [{labels, value}]. */
const isSeriesList = (value: unknown): value is { labels: Record<string, string>; value: number }[] =>
  Array.isArray(value) && value.every((item) => isRecord(item) && 'labels' in item && typeof item.value === 'number')

/** The part of the output a tolerance looks at when it names none. */
function defaultTarget(output: Output, kind: 'value' | 'text'): unknown {
  if (!isRecord(output)) return output
  if ('status' in output && 'body' in output) return kind === 'value' ? output.status : output.body
  if ('ok' in output && 'broken' in output) return kind === 'value' ? output.ok : output
  return output
}

const targetOf = (output: Output, target: string | undefined, kind: 'value' | 'text') =>
  target === undefined ? defaultTarget(output, kind) : isRecord(output) ? output[target] : undefined

/** Each value a number tolerance applies to: a series list is checked series by series. */
const eachValue = (value: unknown): unknown[] => (isSeriesList(value) ? value.map((series) => series.value) : [value])

const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/**
 * A value must equal the output, a list must hold it, a range include it, a regex find it, a
 * JSONPath match in it. An http output is `{status, headers, body}`: a value, list or range is the
 * status's unless a `target` says otherwise, a regex or JSONPath the body's. An invariants output is
 * `{ok, broken, …}`: a value is `ok`'s. A prometheus output is the query's value: a number, null (no
 * data), or one value per series, each of which must be within.
 */
export function withinTolerance(tolerance: Tolerance, output: Output): boolean {
  if (tolerance === null || typeof tolerance !== 'object') {
    const values = eachValue(targetOf(output, undefined, 'value'))
    return values.length > 0 && values.every((value) => equal(value, tolerance))
  }
  if (Array.isArray(tolerance)) {
    const values = eachValue(targetOf(output, undefined, 'value'))
    return values.length > 0 && values.every((value) => tolerance.some((allowed) => equal(allowed, value)))
  }
  if (tolerance.type === 'range') {
    const [low, high] = tolerance.range
    const values = eachValue(targetOf(output, tolerance.target, 'value'))
    return values.length > 0 && values.every((value) => typeof value === 'number' && value >= low && value <= high)
  }
  if (tolerance.type === 'regex') {
    const value = targetOf(output, tolerance.target, 'text')
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? null)
    return new RegExp(tolerance.pattern).test(text)
  }
  const value = targetOf(output, tolerance.target, 'text')
  const json = typeof value === 'string' ? safeJson(value) : value
  const matches: unknown[] =
    JSONPath({ path: tolerance.path, json: (json ?? null) as object, wrap: true, eval: 'safe' }) ?? []
  if (tolerance.count !== undefined) return matches.length === tolerance.count
  if (matches.length === 0) return false
  if (!('expect' in tolerance)) return true
  return Array.isArray(tolerance.expect)
    ? equal(matches, tolerance.expect) || matches.every((match) => equal(match, tolerance.expect))
    : matches.every((match) => equal(match, tolerance.expect))
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
