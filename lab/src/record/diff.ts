/**
 * Two runs compared phase by phase (`npm run runs -- diff A B`), and what moved past the thresholds a
 * regression gate gives (docs/experiments.md#the-record-of-a-run).
 */
import type { PhaseVerdict } from '../load/phases.ts'
import type { Verdict } from './verdict.ts'

export interface Thresholds {
  /** Largest fall of a phase's throughput allowed, as a share of A's (0.2: 20%). */
  throughputDrop?: number | undefined
  /** Largest rise of a phase's p95 allowed, as a share of A's. */
  p95Rise?: number | undefined
  /** Largest rise of a phase's error ratio allowed, in points of ratio (0.01: one percentage point). */
  errorRatioRise?: number | undefined
}

export interface RunDiff {
  /** The comparison as lines of text, phase by phase. */
  lines: string[]
  /** Each change past a threshold, in words; empty when B is within them. */
  breaches: string[]
}

const percent = (ratio: number) => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)}%`
const shown = (value: number | null, unit = '') => (value === null ? '–' : `${value}${unit}`)
const relative = (a: number | null, b: number | null) => (a === null || b === null || a === 0 ? null : (b - a) / a)

/**
 * Throughput, p95, error ratio, unanswered requests and order outcomes, the hypothesis and the
 * invariants. An invariant that held in A and broke in B, or a run that completed in A and not in B,
 * is always a breach: they are correctness, not speed.
 */
export function diffVerdicts(a: Verdict, b: Verdict, thresholds: Thresholds = {}): RunDiff {
  const lines: string[] = []
  const breaches: string[] = []
  lines.push(`A: ${a.experiment} (${a.status}${a.deviated ? ', deviated' : ''})`)
  lines.push(`B: ${b.experiment} (${b.status}${b.deviated ? ', deviated' : ''})`)
  if (a.experiment !== b.experiment) {
    lines.push('note: A and B are runs of different experiments; their figures are compared all the same')
  }
  for (const [name, run] of [
    ['A', a],
    ['B', b],
  ] as const) {
    if (run.status === 'invalid') breaches.push(`${name} is not valid evidence (another client changed its faults)`)
  }
  if (a.status === 'completed' && b.status !== 'completed') breaches.push(`status: ${a.status} → ${b.status}`)

  const phases = [...new Set([...a.phases, ...b.phases].map((phase) => phase.phase))]
  for (const name of phases) {
    const pa = a.phases.find((phase) => phase.phase === name)
    const pb = b.phases.find((phase) => phase.phase === name)
    lines.push('', `${name}:`)
    if (!pa || !pb) {
      lines.push(`  only in ${pa ? 'A' : 'B'}`)
      continue
    }
    lines.push(...phaseLines(pa, pb))
    const throughput = relative(pa.throughput_rps, pb.throughput_rps)
    if (thresholds.throughputDrop !== undefined && throughput !== null && -throughput > thresholds.throughputDrop) {
      breaches.push(
        `${name}: throughput ${pa.throughput_rps} → ${pb.throughput_rps} req/s (${percent(throughput)}, past −${percent(thresholds.throughputDrop).slice(1)})`,
      )
    }
    const p95 = relative(pa.p95_ms, pb.p95_ms)
    if (thresholds.p95Rise !== undefined && p95 !== null && p95 > thresholds.p95Rise) {
      breaches.push(
        `${name}: p95 ${pa.p95_ms} → ${pb.p95_ms} ms (${percent(p95)}, past ${percent(thresholds.p95Rise)})`,
      )
    }
    const errors = (pb.error_ratio ?? 0) - (pa.error_ratio ?? 0)
    if (thresholds.errorRatioRise !== undefined && errors > thresholds.errorRatioRise) {
      breaches.push(
        `${name}: error ratio ${shown(pa.error_ratio)} → ${shown(pb.error_ratio)} (+${errors.toFixed(4)}, past +${thresholds.errorRatioRise})`,
      )
    }
  }

  lines.push('', 'hypothesis:')
  lines.push(
    `  checks failed during the method: ${a.hypothesis.failed_during}/${a.hypothesis.checks_during} → ${b.hypothesis.failed_during}/${b.hypothesis.checks_during}`,
  )
  lines.push(`  time to detect: ${shown(a.time_to_detect_s, ' s')} → ${shown(b.time_to_detect_s, ' s')}`)
  lines.push(`  time to recover: ${shown(a.time_to_recover_s, ' s')} → ${shown(b.time_to_recover_s, ' s')}`)

  const held = new Map((a.invariants ?? []).map((invariant) => [invariant.name, invariant.ok]))
  if (a.invariants || b.invariants) lines.push('', 'invariants:')
  for (const invariant of b.invariants ?? []) {
    const before = held.get(invariant.name)
    lines.push(
      `  ${invariant.name}: ${before === undefined ? '–' : before ? 'held' : 'broke'} → ${invariant.ok ? 'held' : 'broke'}`,
    )
    if (before === true && !invariant.ok) breaches.push(`invariant "${invariant.name}" broke: ${invariant.detail}`)
  }
  return { lines, breaches }
}

function phaseLines(a: PhaseVerdict, b: PhaseVerdict): string[] {
  const outcomes = [...new Set([...Object.keys(a.outcomes ?? {}), ...Object.keys(b.outcomes ?? {})])].sort()
  // The labels padded to the longest (an outcome such as `orders 503 DEPENDENCY_UNAVAILABLE`), so the columns line up.
  const width = Math.max(14, ...outcomes.map((outcome) => `orders ${outcome}`.length))
  const row = (label: string, va: number | null, vb: number | null, unit = '') => {
    const change = relative(va, vb)
    return `  ${label.padEnd(width)} ${shown(va, unit).padStart(12)} → ${shown(vb, unit).padStart(12)}${change === null ? '' : `  ${percent(change)}`}`
  }
  return [
    row('requests', a.requests, b.requests),
    row('throughput', a.throughput_rps, b.throughput_rps, ' req/s'),
    row('p95', a.p95_ms, b.p95_ms, ' ms'),
    row('p99', a.p99_ms, b.p99_ms, ' ms'),
    row('error ratio', a.error_ratio, b.error_ratio),
    row('unanswered', a.unanswered, b.unanswered),
    ...outcomes.map((outcome) => row(`orders ${outcome}`, a.outcomes?.[outcome] ?? 0, b.outcomes?.[outcome] ?? 0)),
  ]
}
