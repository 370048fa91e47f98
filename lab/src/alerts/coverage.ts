/**
 * Alert coverage, measured (docs/alerts.md#coverage): each fault of the answer key alone under the
 * shop load, as an experiment, until one of the alerts its entry names fires or the deadline passes;
 * the matrix fault × alert × time to detect, from the run's journal.
 */
import { readExperiment } from '../experiment/load-file.ts'
import { runExperiment } from '../experiment/run.ts'
import { type Alert, prometheusAlerts } from '../fleet/alerts.ts'
import type { AnswerKeyEntry } from '../record/answer-key.ts'

export interface CoverageOptions {
  /** The experiments' configuration (USER_URL, …, PROMETHEUS_URL, TOXIPROXY_URL, FLEET_ENGINE_URL). */
  env: Record<string, string | undefined>
  serviceToken: string
  /** Seconds from the fault's start within which one of its alerts must fire. */
  deadlineS: number
  /** Seconds of load before the fault. */
  warmS: number
  /** Seconds to wait, before a fault, for its alerts to stop firing after the one before. */
  settleS: number
  concurrency: number
  /** Arguments a test's fleet needs on each fault (a database name). */
  extra?: Record<string, unknown>
  onEvent?: (message: string) => void
  /** Aborted: the fault in force is cleared, no other starts. */
  signal?: AbortSignal
}

/** An alert that fired after the fault started, and how long after. */
export interface Detection {
  alert: string
  severity: string
  after_s: number
}

export interface CoverageRow {
  fault: string
  expected: string[]
  /** The first of the expected alerts to fire; null when none did within the deadline. */
  caught: Detection | null
  /** Every alert that fired after the fault started, the expected ones included, first firing each. */
  fired: Detection[]
  /** Why the fault was not measured: its alerts still firing, the run failed. */
  problem?: string
}

/** The actions that take a TTL: on until the alert comes (the run's end clears them) or the deadline. */
const TIMED = new Set(['fault', 'toxic', 'edge-down'])

const active = async (prometheusUrl: string, names: string[]): Promise<Alert[]> =>
  (await prometheusAlerts(prometheusUrl).catch(() => [] as Alert[])).filter((alert) =>
    names.includes(alert.labels.alertname ?? ''),
  )

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until none of `names` is pending or firing; the ones still firing after `seconds`. */
async function settle(prometheusUrl: string, names: string[], seconds: number, signal?: AbortSignal) {
  const until = Date.now() + seconds * 1000
  for (;;) {
    const still = await active(prometheusUrl, names)
    if (still.length === 0 || Date.now() >= until || signal?.aborted)
      return [...new Set(still.map((alert) => alert.labels.alertname))]
    await sleep(1000)
  }
}

/** The experiment one fault runs as: the shop load, the fault after warmS, cleared by the rollback. */
function coverageExperiment(name: string, entry: AnswerKeyEntry, options: CoverageOptions) {
  const timed = TIMED.has(String(entry.inject.action))
  return {
    title: `alert coverage: ${name}`,
    method: [
      {
        type: 'action',
        name: 'the shop',
        background: true,
        provider: {
          type: 'fleet',
          action: 'load',
          profile: 'shop',
          duration_s: options.warmS + options.deadlineS + 5,
          concurrency: options.concurrency,
        },
      },
      {
        type: 'action',
        name,
        pauses: { before: options.warmS },
        provider: {
          type: 'fleet',
          ...entry.inject,
          ...options.extra,
          ...(timed ? { ttl_s: options.deadlineS + 5 } : {}),
        },
      },
    ],
    rollbacks: [{ type: 'action', name: 'clear every fault', provider: { type: 'fleet', action: 'clear-faults' } }],
  }
}

/** Runs one fault; ends its run when one of its alerts fires, or at the deadline. */
async function measure(name: string, entry: AnswerKeyEntry, options: CoverageOptions): Promise<CoverageRow> {
  const loaded = readExperiment(JSON.stringify(coverageExperiment(name, entry, options)), `${name}.json`, options.env)
  const prometheusUrl = String(loaded.configuration.prometheus_url)
  const row: CoverageRow = { fault: name, expected: entry.alerts, caught: null, fired: [] }
  const left = await settle(prometheusUrl, entry.alerts, options.settleS, options.signal)
  if (left.length > 0) return { ...row, problem: `${left.join(', ')} still firing from before` }

  const end = new AbortController()
  const deadline = setTimeout(
    () => end.abort(`no alert of ${entry.alerts.join(', ')} within ${options.deadlineS} s`),
    (options.warmS + options.deadlineS + 2) * 1000,
  )
  let watching = true
  let falseAlarm: string | undefined
  const watch = (async () => {
    // Just before the fault: one of its alerts firing already fired on the load alone (a false alarm).
    await sleep(Math.max(0, options.warmS - 1) * 1000)
    const early = (await active(prometheusUrl, entry.alerts)).find((alert) => alert.state === 'firing')
    if (early) {
      falseAlarm = `${early.labels.alertname} fired before the fault, on the load alone`
      end.abort(falseAlarm)
    }
    await sleep(Math.min(1, options.warmS) * 1000)
    while (watching && !end.signal.aborted) {
      const firing = (await active(prometheusUrl, entry.alerts)).find((alert) => alert.state === 'firing')
      if (firing) end.abort(`${firing.labels.alertname} fired`)
      else await sleep(1000)
    }
  })()
  try {
    const journal = await runExperiment(loaded, {
      scale: 1,
      hypothesisFrequencyS: 5,
      serviceToken: options.serviceToken,
      end: end.signal,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    })
    if (falseAlarm) return { ...row, problem: falseAlarm }
    const window = journal.fault_windows.find((fault) => !fault.foreign)
    if (journal.status !== 'completed' || !window)
      return { ...row, problem: `the run ${journal.status}: ${journal.interruption ?? 'the fault was not applied'}` }
    const fired = new Map<string, Detection>()
    for (const change of journal.alerts) {
      if (change.state !== 'firing' || change.at_s < window.from_s || fired.has(change.alert)) continue
      const after_s = Math.round((change.at_s - window.from_s) * 10) / 10
      fired.set(change.alert, { alert: change.alert, severity: change.labels.severity ?? '', after_s })
    }
    row.fired = [...fired.values()]
    row.caught =
      row.fired.find((detection) => entry.alerts.includes(detection.alert) && detection.after_s <= options.deadlineS) ??
      null
    return row
  } finally {
    watching = false
    clearTimeout(deadline)
    await watch
  }
}

/** Every fault in turn; a fault's run stops the coverage only when interrupted. */
export async function measureCoverage(
  faults: [string, AnswerKeyEntry][],
  options: CoverageOptions,
): Promise<CoverageRow[]> {
  const rows: CoverageRow[] = []
  for (const [name, entry] of faults) {
    if (options.signal?.aborted) break
    options.onEvent?.(`— ${name}: waiting for ${entry.alerts.join(' or ')}`)
    const row = await measure(name, entry, options)
    options.onEvent?.(
      row.caught
        ? `${name}: ${row.caught.alert} after ${row.caught.after_s} s`
        : `${name}: not caught${row.problem ? ` (${row.problem})` : ''}`,
    )
    rows.push(row)
  }
  return rows
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length === 0
    ? null
    : sorted.length % 2
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** The matrix as a Markdown table (the terminal and docs/alerts.md), and its summary lines. */
export function coverageTable(rows: CoverageRow[], deadlineS: number): string {
  const lines = [
    '| fault | caught by | after | also fired |',
    '|---|---|---|---|',
    ...rows.map((row) => {
      const also = row.fired.filter((detection) => detection.alert !== row.caught?.alert)
      return `| ${row.fault} | ${row.caught ? `${row.caught.alert} (${row.caught.severity})` : `**missed** (${row.problem ?? row.expected.join(' or ')})`} | ${row.caught ? `${row.caught.after_s} s` : '—'} | ${also.map((d) => `${d.alert} ${d.after_s} s`).join(', ') || '—'} |`
    }),
  ]
  const times = rows.flatMap((row) => (row.caught ? [row.caught.after_s] : []))
  const caught = times.length
  lines.push(
    '',
    `${caught} of ${rows.length} faults caught within ${deadlineS} s; time to detect median ${median(times) ?? '—'} s, slowest ${times.length ? Math.max(...times) : '—'} s (goal: all within 60 s, median within 30 s)`,
  )
  return lines.join('\n')
}
