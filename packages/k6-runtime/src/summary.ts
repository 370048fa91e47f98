/**
 * How a run of a script ends: its result, and the k6-like summary printed from it
 * (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci).
 */
import { aggregate, type MetricStore } from './metrics.ts'
import type { ThresholdResult } from './thresholds.ts'

/** What a run of a script ends with: k6's exit code follows from it, and its summary is written from it. */
export interface RunResult {
  /** Every threshold passed, setup ran, nothing aborted the test: k6 would exit 0. */
  ok: boolean
  aborted?: string
  /** Stopped from outside (an interruption): k6's exit code 105. */
  interrupted?: boolean
  setupError?: string
  thresholds: ThresholdResult[]
  checks: { name: string; passes: number; fails: number }[]
  /** Errors that ended iterations (k6 logs them and goes on). */
  iterationErrors: string[]
  metrics: MetricStore
  durationSeconds: number
  summary: string
}

const milliseconds = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(2)}ms`)

/** An end-of-test summary in k6's shape: the checks, then each metric with its thresholds marked. */
export function summaryText(result: Omit<RunResult, 'summary'>): string {
  const lines: string[] = []
  for (const check of result.checks) {
    const total = check.passes + check.fails
    lines.push(`     ${check.fails === 0 ? '✓' : '✗'} ${check.name}`)
    if (check.fails > 0) {
      lines.push(`      ↳  ${Math.floor((check.passes / total) * 100)}% — ✓ ${check.passes} / ✗ ${check.fails}`)
    }
  }
  lines.push('')
  for (const name of result.metrics.names()) {
    const type = result.metrics.type(name)
    if (!type) continue
    const values = aggregate(type, result.metrics.samples(name), result.durationSeconds)
    const marks = result.thresholds.filter((threshold) => threshold.metric.split('{')[0] === name)
    const mark = marks.length === 0 ? ' ' : marks.every((threshold) => threshold.ok) ? '✓' : '✗'
    const shown =
      type === 'trend'
        ? Object.entries(values)
            .map(([key, value]) => `${key}=${name.includes('duration') ? milliseconds(value) : value.toFixed(2)}`)
            .join(' ')
        : type === 'counter'
          ? `${values.count} ${(values.rate as number).toFixed(2)}/s`
          : type === 'rate'
            ? `${((values.rate as number) * 100).toFixed(2)}% ✓ ${values.passes} ✗ ${values.fails}`
            : `${values.value} min=${values.min} max=${values.max}`
    lines.push(`   ${mark} ${`${name}`.padEnd(30, '.')}: ${shown}`)
    for (const threshold of marks.filter((candidate) => candidate.metric.includes('{'))) {
      const filter = threshold.metric.slice(threshold.metric.indexOf('{'))
      lines.push(
        `     ${threshold.ok ? '✓' : '✗'} ${`  ${filter}`.padEnd(28, '.')}: ${threshold.expression} (${threshold.actual.toFixed(2)})`,
      )
    }
  }
  for (const threshold of result.thresholds.filter(
    (candidate) => !result.metrics.type(candidate.metric.split('{')[0] as string),
  )) {
    lines.push(`   ✗ ${threshold.metric}: no such metric was recorded (${threshold.expression})`)
  }
  const scaledCounts = result.thresholds.filter((threshold) => threshold.scriptExpression)
  if (scaledCounts.length > 0) {
    lines.push(
      '',
      `thresholds on counts scaled with the load: ${scaledCounts.map((t) => `${t.metric} ${t.scriptExpression} → ${t.expression}`).join('; ')}`,
    )
  }
  if (result.setupError) lines.push('', `setup failed: ${result.setupError}`)
  if (result.aborted) lines.push('', `test aborted: ${result.aborted}`)
  const failed = result.thresholds.filter((threshold) => !threshold.ok)
  if (failed.length > 0)
    lines.push('', `thresholds crossed: ${failed.map((t) => `${t.metric} ${t.expression}`).join('; ')}`)
  return lines.join('\n')
}
