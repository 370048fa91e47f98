import type { RunReport } from './runner.ts'

const table = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, count]) => `${key} ${count}`)
    .join(', ') || '-'

/** The report people read at the end of a run. */
export function textReport(report: RunReport): string {
  const lines = [
    `scenario ${report.scenario}: ${report.description}`,
    `  ${report.requests} requests in ${report.durationS} s with ${report.concurrency} users: ${report.throughputRps} req/s`,
    `  latency ms: p50 ${report.latencyMs.p50}  p95 ${report.latencyMs.p95}  p99 ${report.latencyMs.p99}  max ${report.latencyMs.max}`,
    `  statuses: ${table(report.statuses)}`,
    `  failure reasons: ${table(report.reasons)}`,
  ]
  if (report.cache.hitRatio !== null) {
    lines.push(
      `  cache: ${report.cache.hits} HIT, ${report.cache.misses} MISS (${Math.round(report.cache.hitRatio * 100)}% hit)`,
    )
  }
  for (const window of report.chaos) {
    lines.push(
      `  chaos: ${window.service} ${window.fault}=${window.value} from ${window.fromS.toFixed(1)} s to ${window.untilS.toFixed(1)} s`,
    )
  }
  lines.push('  endpoints:')
  for (const [endpoint, figures] of Object.entries(report.endpoints)) {
    lines.push(
      `    ${endpoint.padEnd(30)} ${String(figures.count).padStart(6)}  p50 ${figures.p50}  p99 ${figures.p99}  ${table(figures.statuses)}`,
    )
  }
  lines.push('  invariants:')
  for (const invariant of report.invariants) {
    lines.push(`    ${invariant.ok ? 'ok  ' : 'FAIL'} ${invariant.name} (${invariant.detail})`)
  }
  lines.push(
    report.status === 'aborted'
      ? 'ABORTED: interrupted; its faults were switched off, its invariants not checked'
      : report.ok
        ? 'PASS: every invariant held'
        : 'FAIL: an invariant broke',
  )
  return lines.join('\n')
}
