/**
 * `npm run scenario -- <name> [options]`: runs one load scenario against the fleet on this
 * machine and prints its report; exits 1 when an invariant broke. Each run leaves a record
 * (runs/<time>-<scenario>/, or --out), as an experiment's does.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEV_SERVICE_TOKEN } from '@food/config'
import { markLogs } from './bundle/logs.ts'
import { MetricsTable } from './bundle/metric-columns.ts'
import { bundleName, writeBundle } from './bundle/write-bundle.ts'
import { htmlReport } from './html-report.ts'
import { runScenario } from './runner.ts'
import { scenarioRecord } from './scenario-record.ts'
import { SCENARIOS, scenarioNamed } from './scenarios/index.ts'
import { gatewayTargets, LOCAL_TARGETS } from './targets.ts'
import { textReport } from './text-report.ts'

const USAGE = `usage: npm run scenario -- <scenario|all> [--duration s] [--concurrency n] [--max-requests 20000]
                             [--gateway http://localhost] [--settle 60] [--json report.json] [--html report.html]
                             [--out dir] [--logs dir]
  --out: where each run's record goes (default runs/<time>-<scenario>/; with all: dir/<scenario>/)
  --logs: the services' log files, for the record (default FLEET_LOG_DIR, else npm start's .fleet/logs)
scenarios (load-tests/experiments/<name>.json: their load and chaos plan; duration and users by default):
${SCENARIOS.map((scenario) => `  ${scenario.name.padEnd(18)} ${scenario.description}`).join('\n')}`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string' },
    concurrency: { type: 'string' },
    'max-requests': { type: 'string', default: '20000' },
    settle: { type: 'string', default: '60' },
    gateway: { type: 'string' },
    json: { type: 'string' },
    html: { type: 'string' },
    out: { type: 'string' },
    logs: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
})

const name = positionals[0]
const chosen = name === 'all' ? SCENARIOS : [scenarioNamed(name ?? '')].filter((scenario) => scenario !== undefined)
if (values.help || chosen.length === 0) {
  console.error(USAGE)
  process.exit(values.help ? 0 : 2)
}

const bounded = (value: string | undefined, max: number, label: string) => {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1 || number > max) throw new Error(`--${label} must be 1..${max}`)
  return number
}

const options = {
  targets: values.gateway ? gatewayTargets(values.gateway) : LOCAL_TARGETS,
  chaosToken: process.env.CHAOS_TOKEN,
  // `npm start` runs the fleet with the development token; another fleet is told its own.
  serviceToken: process.env.SERVICE_TOKEN ?? DEV_SERVICE_TOKEN,
  durationS: values.duration === undefined ? undefined : bounded(values.duration, 600, 'duration'),
  concurrency: values.concurrency === undefined ? undefined : bounded(values.concurrency, 200, 'concurrency'),
  maxRequests: bounded(values['max-requests'], 1_000_000, 'max-requests'),
  settleTimeoutS: bounded(values.settle, 600, 'settle'),
  onProgress: process.stdout.isTTY
    ? ({ elapsedS, requests, errors }: { elapsedS: number; requests: number; errors: number }) =>
        process.stdout.write(`\r  ${elapsedS} s  ${requests} requests  ${errors} errors   `)
    : undefined,
}

const reports = []
for (const scenario of chosen) {
  // The load as the scenario's experiment file writes it, unless told otherwise.
  const run = {
    ...options,
    durationS: options.durationS ?? scenario.durationS,
    concurrency: options.concurrency ?? scenario.concurrency,
  }
  console.log(`▸ ${scenario.name} (${run.durationS} s, ${run.concurrency} users)`)
  const metrics = new MetricsTable(1000)
  const logs = await markLogs(values.logs)
  const report = await runScenario(scenario, { ...run, metrics })
  if (process.stdout.isTTY) process.stdout.write('\n')
  console.log(textReport(report))
  reports.push(report)
  const out = values.out
    ? chosen.length === 1
      ? values.out
      : join(values.out, scenario.name)
    : join('runs', bundleName(new Date(report.startedAt), scenario.name))
  await writeBundle(out, scenarioRecord(report, new Date(), { metrics, logs }))
  console.log(`  record: ${out}`)
  if (values.html) {
    const file = chosen.length === 1 ? values.html : values.html.replace(/(\.html)?$/, `-${scenario.name}.html`)
    await writeFile(file, htmlReport(report))
    console.log(`  report: ${file}`)
  }
}
if (values.json)
  await writeFile(values.json, `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`)
process.exitCode = reports.every((report) => report.ok) ? 0 : 1
