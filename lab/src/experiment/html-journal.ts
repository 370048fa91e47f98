/**
 * A journal as one self-contained page with its charts, the faults shaded: what `--html run.html`
 * writes (docs/experiments.md).
 */

import { outcomes } from '../load/phases.ts'
import { embedJson, escapeHtml, SHADE_WINDOWS, UPLOT_CSS, UPLOT_JS } from './html-page.ts'
import type { ActivityRun, Journal } from './journal.ts'
import { journalSummary, lastCheck, shown } from './summary.ts'

/** Each hypothesis probe's numeric values over the run (http: the status), with its range if it has one. */
export function probeSeries(journal: Journal) {
  const states = [journal.steady_states.before, ...journal.steady_states.during, journal.steady_states.after].filter(
    (state) => state !== null,
  )
  const numeric = (run: ActivityRun): number | null => {
    const output = run.output as unknown
    if (typeof output === 'number') return output
    if (typeof output === 'boolean') return output ? 1 : 0
    if (output && typeof output === 'object' && 'status' in output && typeof output.status === 'number')
      return output.status
    if (output && typeof output === 'object' && 'ok' in output) return output.ok ? 1 : 0
    return null
  }
  return (journal.experiment['steady-state-hypothesis']?.probes ?? []).map((probe, index) => {
    const points = states.map((state) => ({ at: state.at_s, run: state.probes[index] }))
    const tolerance = probe.tolerance
    return {
      name: probe.name,
      range:
        tolerance && typeof tolerance === 'object' && !Array.isArray(tolerance) && tolerance.type === 'range'
          ? tolerance.range
          : null,
      at: points.map((point) => point.at),
      values: points.map((point) => (point.run ? numeric(point.run) : null)),
      met: points.map((point) => point.run?.tolerance_met ?? null),
    }
  })
}

const CHARTS = `
const journal = JSON.parse(document.getElementById('journal').textContent)
const probes = JSON.parse(document.getElementById('probes').textContent)
const width = Math.min(1000, document.body.clientWidth - 40)
${SHADE_WINDOWS}
const faults = shadeWindows(journal.fault_windows.map((w) => [w.from_s, w.until_s]))
// The phases' boundaries, as dashed lines.
const phaseLines = { hooks: { draw: [(u) => {
  const ctx = u.ctx
  ctx.save()
  ctx.setLineDash([4, 4])
  ctx.strokeStyle = '#6b7280'
  for (const phase of journal.phases) {
    const x = u.valToPos(phase.from_s, 'x', true)
    ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke()
    ctx.fillStyle = '#374151'
    ctx.fillText(phase.phase, x + 4, u.bbox.top + 12)
  }
  ctx.restore()
}] } }
const seconds = journal.timeline.map((p) => p.second)
new uPlot({ title: 'Latency (ms), second by second; faults shaded, phases marked', width, height: 280, plugins: [faults, phaseLines],
  legend: { live: false }, scales: { x: { time: false } }, axes: [{ label: 'second of the experiment' }, { label: 'ms' }],
  series: [{ label: 'second' }, { label: 'p50', stroke: '#2563eb' }, { label: 'p95', stroke: '#dc2626' }] },
  [seconds, journal.timeline.map((p) => p.p50), journal.timeline.map((p) => p.p95)], document.getElementById('latency'))
new uPlot({ title: 'Requests and errors per second', width, height: 240, plugins: [faults, phaseLines],
  legend: { live: false }, scales: { x: { time: false } }, axes: [{ label: 'second of the experiment' }, {}],
  series: [{ label: 'second' }, { label: 'requests', stroke: '#16a34a' }, { label: 'errors (5xx, no answer)', stroke: '#dc2626' }] },
  [seconds, journal.timeline.map((p) => p.requests), journal.timeline.map((p) => p.errors)], document.getElementById('throughput'))
for (const [i, probe] of probes.entries()) {
  if (probe.values.every((v) => v === null)) continue
  const holder = document.createElement('div')
  holder.className = 'probe-chart'
  document.getElementById('probe-charts').append(holder)
  const band = probe.range ? { hooks: { drawClear: [(u) => {
    const y0 = u.valToPos(probe.range[1], 'y', true), y1 = u.valToPos(probe.range[0], 'y', true)
    u.ctx.save(); u.ctx.fillStyle = 'rgba(22, 163, 74, 0.12)'
    u.ctx.fillRect(u.bbox.left, Math.max(y0, u.bbox.top), u.bbox.width, Math.min(y1, u.bbox.top + u.bbox.height) - Math.max(y0, u.bbox.top))
    u.ctx.restore()
  }] } } : null
  new uPlot({ title: probe.name + (probe.range ? ' (within: green)' : ''), width, height: 180,
    plugins: [faults, phaseLines, ...(band ? [band] : [])],
    legend: { live: false }, scales: { x: { time: false } }, axes: [{ label: 'second of the experiment' }, {}],
    series: [{ label: 'second' }, { label: 'value', stroke: '#7c3aed', points: { show: true, size: 6 } }] },
    [probe.at, probe.values], holder)
}
document.body.dataset.rendered = 'true'
`

const cell = (text: string | number | null) => `<td>${escapeHtml(text === null ? '–' : String(text))}</td>`

/**
 * The verdict, the phases, detection and recovery, the invariants; latency and throughput second by
 * second with the faults' windows shaded and the phases marked; and each probe's values over time
 * with its tolerance's range.
 */
export function htmlJournal(journal: Journal): string {
  const held = journal.status === 'completed' && !journal.deviated
  const phases = journal.phases
    .map(
      (phase) =>
        `<tr>${cell(phase.phase)}${cell(`${phase.from_s}–${phase.until_s} s`)}${cell(phase.throughput_rps)}${cell(phase.p95_ms)}${cell(
          phase.error_ratio === null ? null : `${(phase.error_ratio * 100).toFixed(1)}%`,
        )}${cell(outcomes(phase.outcomes) || null)}${cell(phase.hypothesis_met === null ? 'not checked' : phase.hypothesis_met ? 'held' : 'NOT MET')}</tr>`,
    )
    .join('')
  const activities = (runs: ActivityRun[]) =>
    runs
      .map(
        (run) =>
          `<tr class="${run.status === 'succeeded' ? 'ok' : 'fail'}">${cell(run.status)}${cell(run.activity.name)}${cell(run.start)}${cell(
            `${run.duration.toFixed(2)} s`,
          )}${cell(run.exception?.join(' ') ?? JSON.stringify(run.output ?? null).slice(0, 160))}</tr>`,
      )
      .join('')
  const invariants = (journal.invariants ?? [])
    .map(
      (invariant) =>
        `<tr class="${invariant.ok ? 'ok' : 'fail'}">${cell(invariant.ok ? 'ok' : 'FAIL')}${cell(invariant.name)}${cell(invariant.detail)}</tr>`,
    )
    .join('')
  const summary = journalSummary(journal).split('\n')
  const probeValues = (lastCheck(journal)?.probes ?? [])
    .map(
      (probe) =>
        `<tr class="${probe.tolerance_met ? 'ok' : 'fail'}">${cell(probe.activity.name)}${cell(shown(probe))}${cell(probe.tolerance_met ? 'within' : 'OUTSIDE')}</tr>`,
    )
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(journal.experiment.title)}: ${held ? 'HELD' : journal.deviated ? 'DEVIATED' : journal.status.toUpperCase()}</title>
<style>${UPLOT_CSS}
body{font-family:system-ui,sans-serif;margin:20px;color:#111;max-width:1040px}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}.ok td:first-child{color:#16a34a}.fail td:first-child{color:#dc2626;font-weight:bold}
.verdict{font-size:1.4em;font-weight:bold;color:${held ? '#16a34a' : '#dc2626'}}</style></head>
<body>
<h1>${escapeHtml(journal.experiment.title)}</h1><p>${escapeHtml(journal.experiment.description ?? '')}</p>
<p class="verdict" id="verdict">${escapeHtml(summary[0]?.replace(`${journal.experiment.title}: `, '') ?? '')}</p>
<p>Started ${escapeHtml(journal.start)}, ${journal.duration.toFixed(1)} s. Time to detect: ${escapeHtml(journal.time_to_detect_s === null ? '–' : `${journal.time_to_detect_s} s`)};
time to recover: ${escapeHtml(journal.time_to_recover_s === null ? '–' : `${journal.time_to_recover_s} s`)}.</p>
<h2>Phases</h2><table><tr><th>phase</th><th>when</th><th>req/s</th><th>p95 ms</th><th>errors</th><th>orders by answer</th><th>hypothesis</th></tr>${phases}</table>
<h2>Faults</h2><ul>${journal.fault_windows.map((w) => `<li>${escapeHtml(`${w.foreign ? 'another client’s: ' : ''}${w.service} ${w.fault}=${w.value} ${w.from_s}–${w.until_s} s (${w.ended_by})`)}</li>`).join('') || '<li>none</li>'}</ul>
${(journal.invalid_because ?? []).length > 0 ? `<h2>Why this run is no evidence</h2><ul>${(journal.invalid_because ?? []).map((reason) => `<li>${escapeHtml(reason)}</li>`).join('')}</ul>` : ''}
<h2>The probes at the last check${lastCheck(journal) ? ` (${lastCheck(journal)?.at_s} s)` : ''}</h2><table id="probe-values"><tr><th>probe</th><th>value</th><th>tolerance</th></tr>${probeValues}</table>
<div id="latency"></div><div id="throughput"></div>
<h2>The hypothesis’ probes over time</h2><div id="probe-charts"></div>
<h2>Invariants</h2><table>${invariants || '<tr><td>no load was checked</td></tr>'}</table>
<h2>Method</h2><table>${activities(journal.run)}</table>
<h2>Rollbacks</h2><table>${activities(journal.rollbacks) || '<tr><td>none</td></tr>'}</table>
<script id="journal" type="application/json">${embedJson(journal)}</script>
<script id="probes" type="application/json">${embedJson(probeSeries(journal))}</script>
<script>${UPLOT_JS}</script>
<script>${CHARTS}</script>
</body></html>
`
}
