/**
 * A run record: the directory a run leaves (`runs/<time>-<name>/`, or `--out`), for a person to keep,
 * a tool to read and `npm run runs -- diff` to compare. See docs/experiments.md#the-record-of-a-run.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AlertChange } from '../fleet/alerts.ts'
import type { FaultWindow } from '../load/phases.ts'
import { injectionFile } from './injection.ts'
import { collectLogs, type LogSource } from './logs.ts'
import { METRIC_COLUMNS, type MetricsTable } from './metric-columns.ts'
import type { StoreTraces } from './store-traces.ts'
import type { Verdict } from './verdict.ts'

/** What each file of a record holds, written into the record's own README.md. */
export const FILES = {
  'injection.json':
    'the ground truth: every fault the fleet applied, its target (a service’s switch, a process, a network edge, a dependency), its parameters, and when it was in force (`start`/`end`, `from_s`/`until_s` from the run’s start, `ended_by`)',
  'metrics.csv':
    'one row per scrape of the services’ /metrics: `time` (Unix seconds), then `<service>_<metric>` columns (a route, a called service, an order outcome or a fault in braces); an empty cell had no value',
  'logs.jsonl': 'the services’ log lines written during the run, as they wrote them (`trace_id` where traced)',
  'traces.jsonl':
    'the run’s traces: a line per trace the fleet’s trace store kept (its `resourceSpans` in OTLP JSON, and `keptBecause`: an error, a `chaos.injected` event, slow, sampled), or with `--traces`, a line per export the services sent (an OTLP JSON ExportTraceServiceRequest, as the OpenTelemetry Collector’s file exporter writes them)',
  'alerts.jsonl':
    'every change of the fleet’s alerts while the run went (pending, firing, resolved; `at_s` from the run’s start), as Prometheus evaluated them (prometheus_url, `"source": "prometheus"`) and as Alertmanager notified the run’s webhook (`"source": "alertmanager"`); empty when neither answered',
  'journal.json': 'the experiment’s journal, in Chaos Toolkit’s fields and ours (phases, fault windows, timeline)',
  'verdict.json':
    'the verdict: status, whether the hypothesis deviated, each phase’s throughput, p95, error ratio and order outcomes, the invariants',
} as const

/** What an experiment's run leaves. */
export interface RunRecord {
  title: string
  /** ISO times; the ground truth's `from_s`/`until_s` count from `start`. */
  start: string
  end: string
  seed: number | null
  windows: FaultWindow[]
  verdict: Verdict
  /** The experiment's journal, as journal.json. */
  journal: unknown
  /** The alerts' changes, as alerts.jsonl. */
  alerts: AlertChange[]
  metrics: MetricsTable
  /** The services' log files (LOG_FILE), marked as the run began, if any on this machine. */
  logs?: LogSource | undefined
  /** The receiver that wrote traces.jsonl into the record while the run went, if one listened. */
  traces?: { address: string; spans: number; refused: number; sample: number } | undefined
  /** Or the trace store it was read from once the run was over. */
  storeTraces?: StoreTraces | undefined
}

/** `runs/2026-12-06T21-04-05-payment-chaos`: sortable by time, named after the experiment. */
export function recordName(start: Date, name: string): string {
  const time = start.toISOString().slice(0, 19).replaceAll(':', '-')
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 50)
  return `${time}-${slug || 'run'}`
}

export async function writeRecord(dir: string, record: RunRecord): Promise<{ dir: string; verdict: Verdict }> {
  await mkdir(dir, { recursive: true })
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
  await writeFile(join(dir, 'injection.json'), json(injectionFile(record)))
  await writeFile(join(dir, 'metrics.csv'), record.metrics.csv())
  await writeFile(join(dir, 'journal.json'), json(record.journal))
  await writeFile(join(dir, 'alerts.jsonl'), record.alerts.map((change) => `${JSON.stringify(change)}\n`).join(''))
  await writeFile(join(dir, 'verdict.json'), json(record.verdict))

  const logs = createWriteStream(join(dir, 'logs.jsonl'))
  const collected = record.logs
    ? await collectLogs(record.logs, { fromMs: Date.parse(record.start), untilMs: Date.parse(record.end) }, (line) =>
        logs.write(`${line}\n`),
      )
    : null
  await new Promise<void>((resolve, reject) => logs.end((error?: Error | null) => (error ? reject(error) : resolve())))
  // Written while the run went (a receiver) or after it (the store); else there is nothing to say.
  if (!record.traces && !record.storeTraces) await writeFile(join(dir, 'traces.jsonl'), '')

  await writeFile(join(dir, 'README.md'), readme(record, collected))
  return { dir, verdict: record.verdict }
}

function readme(record: RunRecord, logs: Awaited<ReturnType<typeof collectLogs>> | null): string {
  const { verdict } = record
  const files = Object.entries(FILES)
  const traces = record.traces
  const store = record.storeTraces
  const tracesSaid = store
    ? `${store.traces} traces (${store.spans} spans) that the trace store at ${store.from} kept for the run’s time (errors, \`chaos.injected\` events, slow ones and a share of the rest).`
    : !traces
      ? 'No trace store answered (trace_store_url) and no receiver listened (`--traces host:port`): traces.jsonl is empty.'
      : `${traces.spans} spans received on ${traces.address}${traces.sample < 1 ? `, ${traces.sample * 100}% of the traces kept (by trace id)` : ''}${traces.refused > 0 ? `; ${traces.refused} exports refused, not JSON (the fleet needs OTEL_EXPORTER_OTLP_PROTOCOL=http/json)` : ''}.`
  const logsSaid = !logs
    ? 'No log directory was given (`--logs DIR`): logs.jsonl is empty.'
    : logs.files.length === 0
      ? `No \`*.log\` file was found in ${record.logs?.dir}: logs.jsonl is empty.`
      : `${logs.lines} lines from ${logs.files.join(', ')} in ${record.logs?.dir}${logs.skipped > 0 ? ` (${logs.skipped} lines that were not JSON left out)` : ''}.`
  return [
    `# ${record.title}`,
    '',
    `Run from ${record.start} to ${record.end}: **${verdict.status}**${verdict.deviated ? ', the hypothesis deviated' : ''}${record.seed === null ? '' : `, seed ${record.seed}`}.`,
    '',
    '| file | what it holds |',
    '|---|---|',
    ...files.map(([file, what]) => `| \`${file}\` | ${what} |`),
    '',
    `metrics.csv: ${record.metrics.rows} rows, a scrape every ${record.metrics.intervalMs / 1000} s. Its metrics:`,
    '',
    ...METRIC_COLUMNS.map(
      (column) =>
        `- \`<service>_${column.name}${column.labels ? `{${column.labels.join(' ')}}` : ''}\`: ${column.description}`,
    ),
    '',
    `logs.jsonl: ${logsSaid}`,
    '',
    `traces.jsonl: ${tracesSaid}`,
    '',
    `alerts.jsonl: ${
      record.alerts.length === 0
        ? 'no alert changed while the run went, or no Prometheus answered (prometheus_url): it is empty.'
        : `${record.alerts.length} changes, ${record.alerts.filter((change) => change.state === 'firing').length} of them firing.`
    }`,
    '',
    'Compare with another run: `npm run runs -- diff <this directory> <another>`.',
    '',
  ].join('\n')
}
