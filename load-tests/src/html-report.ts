import { embedJson, escapeHtml, SHADE_WINDOWS, UPLOT_CSS, UPLOT_JS } from './html-page.ts'
import { outcomes } from './phases.ts'
import type { RunReport } from './runner.ts'

const rows = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, count]) => `<tr><td>${escapeHtml(key)}</td><td>${count}</td></tr>`)
    .join('')

/** Draws the charts in the browser from the report embedded in the page. */
const CHARTS_SCRIPT = `
const report = JSON.parse(document.getElementById('report').textContent)
const width = Math.min(1000, document.body.clientWidth - 40)
${SHADE_WINDOWS}
const chaosBands = shadeWindows(report.chaos.map((w) => [w.fromS, w.untilS]))
const seconds = report.timeline.map((p) => p.second)
new uPlot({ title: 'Latency over time (ms); chaos windows shaded', width, height: 300, plugins: [chaosBands],
  legend: { live: false }, scales: { x: { time: false } }, axes: [{ label: 'second of the run' }, { label: 'ms' }],
  series: [{ label: 'second' }, { label: 'p50', stroke: '#2563eb' }, { label: 'p95', stroke: '#dc2626' }] },
  [seconds, report.timeline.map((p) => p.p50), report.timeline.map((p) => p.p95)], document.getElementById('latency'))
new uPlot({ title: 'Requests and errors per second; chaos windows shaded', width, height: 260, plugins: [chaosBands],
  legend: { live: false }, scales: { x: { time: false } }, axes: [{ label: 'second of the run' }, {}],
  series: [{ label: 'second' }, { label: 'requests', stroke: '#16a34a' }, { label: 'errors (5xx, no answer)', stroke: '#dc2626' }] },
  [seconds, report.timeline.map((p) => p.requests), report.timeline.map((p) => p.errors)], document.getElementById('throughput'))
const buckets = report.histogram
new uPlot({ title: 'Latency histogram (requests per bucket, up to … ms)', width, height: 260,
  legend: { live: false }, scales: { x: { time: false } },
  axes: [{ values: (u, ticks) => ticks.map((t) => buckets[t] ? (buckets[t].upToMs === null ? '>10000' : String(buckets[t].upToMs)) : '') }, {}],
  series: [{}, { label: 'requests', fill: 'rgba(37, 99, 235, 0.5)', stroke: '#2563eb', paths: uPlot.paths.bars({ size: [0.8] }) }] },
  [buckets.map((_, i) => i), buckets.map((b) => b.count)], document.getElementById('histogram'))
document.body.dataset.rendered = 'true'
`

/** A self-contained HTML page: figures, invariants, and charts drawn with the inlined uPlot. */
export function htmlReport(report: RunReport): string {
  const invariants = report.invariants
    .map(
      (invariant) =>
        `<tr class="${invariant.ok ? 'ok' : 'fail'}"><td>${invariant.ok ? 'ok' : 'FAIL'}</td><td>${escapeHtml(invariant.name)}</td><td>${escapeHtml(invariant.detail)}</td></tr>`,
    )
    .join('')
  const chaos = report.chaos
    .map(
      (w) =>
        `<li>${escapeHtml(`${w.service} ${w.fault}=${w.value} from ${w.fromS.toFixed(1)} s to ${w.untilS.toFixed(1)} s`)}</li>`,
    )
    .join('')
  const endpoints = Object.entries(report.endpoints)
    .map(
      ([name, f]) =>
        `<tr><td>${escapeHtml(name)}</td><td>${f.count}</td><td>${f.p50}</td><td>${f.p95}</td><td>${f.p99}</td><td>${escapeHtml(
          Object.entries(f.statuses)
            .map(([status, count]) => `${status}: ${count}`)
            .join(', '),
        )}</td></tr>`,
    )
    .join('')
  const phases = report.phases
    .map(
      (phase) =>
        `<tr><td>${phase.phase}</td><td>${phase.from_s}–${phase.until_s} s</td><td>${phase.requests}</td><td>${phase.p95_ms ?? '–'}</td><td>${escapeHtml(outcomes(phase.outcomes) || '–')}</td></tr>`,
    )
    .join('')
  const data = embedJson(report)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.scenario)}: ${report.ok ? 'PASS' : 'FAIL'}</title>
<style>${UPLOT_CSS}
body{font-family:system-ui,sans-serif;margin:20px;color:#111}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}.ok td:first-child{color:#16a34a}.fail td:first-child{color:#dc2626;font-weight:bold}
.verdict{font-size:1.4em;font-weight:bold;color:${report.ok ? '#16a34a' : '#dc2626'}}</style></head>
<body>
<h1>${escapeHtml(report.scenario)}</h1><p>${escapeHtml(report.description)}</p>
<p class="verdict" id="verdict">${report.status === 'aborted' ? 'ABORTED: interrupted; its faults switched off, its invariants not checked' : report.ok ? 'PASS: every invariant held' : 'FAIL: an invariant broke'}</p>
<p>${report.requests} requests in ${report.durationS} s with ${report.concurrency} users (${report.throughputRps} req/s),
started ${escapeHtml(report.startedAt)}. Latency ms: p50 ${report.latencyMs.p50}, p95 ${report.latencyMs.p95}, p99 ${report.latencyMs.p99}, max ${report.latencyMs.max}.</p>
<h2>Phases</h2><table><tr><th>phase</th><th>when</th><th>requests</th><th>p95 ms</th><th>orders by answer</th></tr>${phases}</table>
<h2>Invariants</h2><table>${invariants}</table>
<h2>Chaos</h2><ul>${chaos || '<li>none</li>'}</ul>
<div id="latency"></div><div id="throughput"></div><div id="histogram"></div>
<h2>Endpoints</h2><table><tr><th>endpoint</th><th>requests</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>statuses</th></tr>${endpoints}</table>
<h2>Statuses</h2><table>${rows(report.statuses)}</table>
<h2>Failure reasons</h2><table>${rows(report.reasons) || '<tr><td>none</td></tr>'}</table>
<script id="report" type="application/json">${data}</script>
<script>${UPLOT_JS}</script>
<script>${CHARTS_SCRIPT}</script>
</body></html>
`
}
