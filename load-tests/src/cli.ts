/**
 * `npm run scenario -- <name> [options]`: runs one load scenario against the fleet on this
 * machine and prints its report; exits 1 when an invariant broke. Each run leaves a record
 * (runs/<time>-<scenario>/, or --out), as an experiment's does.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DEV_SERVICE_TOKEN } from '@food/config'
import { markLogs } from './bundle/logs.ts'
import { MetricsTable } from './bundle/metric-columns.ts'
import { bundleName, writeBundle } from './bundle/write-bundle.ts'
import { choiceOf, numberOption, readCommandLine, shownPath, usageError, userPath } from './cli-args.ts'
import { htmlReport } from './html-report.ts'
import { listenForInterruption } from './interruption.ts'
import { runScenario } from './runner.ts'
import { scenarioRecord } from './scenario-record.ts'
import { SCENARIOS, scenarioNamed } from './scenarios/index.ts'
import { gatewayTargets, isLoopback, targetsFromEnv } from './targets.ts'
import { textReport } from './text-report.ts'

const USAGE = `usage: npm run scenario -- <scenario|all> [--duration s] [--concurrency n] [--max-requests 20000]
                             [--gateway http://localhost] [--settle 60] [--json report.json] [--html report.html]
                             [--out dir] [--logs dir]
  --out: where each run's record goes (default runs/<time>-<scenario>/; with all: dir/<scenario>/)
  --logs: the services' log files, for the record (default FLEET_LOG_DIR, else npm start's .fleet/logs)
scenarios (load-tests/experiments/<name>.json: their load and chaos plan; duration and users by default):
${SCENARIOS.map((scenario) => `  ${scenario.name.padEnd(18)} ${scenario.description}`).join('\n')}`

const { values, positionals } = readCommandLine(USAGE, {
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
})

if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
if (positionals.length > 1) usageError(`one scenario at a time, or all (got ${positionals.join(', ')})`, USAGE)
const name = positionals[0] ?? usageError('no scenario given', USAGE)
const names = ['all', ...SCENARIOS.map((scenario) => scenario.name)]
const chosen =
  choiceOf('scenario', name, names, USAGE) === 'all' ? SCENARIOS : [scenarioNamed(name)].filter((s) => s !== undefined)
if (values.gateway && !isLoopback(values.gateway))
  usageError(`--gateway sends load to this machine only (http://localhost), not \`${values.gateway}\``, USAGE)

const bounded = (value: string, max: number, label: string) =>
  numberOption(label, value, { min: 1, max, integer: true }, USAGE)

const options = {
  targets: values.gateway ? gatewayTargets(values.gateway) : targetsFromEnv(),
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

// An interruption (Ctrl-C, SIGTERM, SIGHUP) stops the load and switches the run's faults off; the record is still written.
const interruption = listenForInterruption()
const reports = []
for (const scenario of chosen) {
  if (interruption.signal.aborted) break
  // The load as the scenario's experiment file writes it, unless told otherwise.
  const run = {
    ...options,
    durationS: options.durationS ?? scenario.durationS,
    concurrency: options.concurrency ?? scenario.concurrency,
  }
  console.log(`▸ ${scenario.name} (${run.durationS} s, ${run.concurrency} users)`)
  const metrics = new MetricsTable(1000)
  const logs = await markLogs(values.logs === undefined ? undefined : userPath(values.logs))
  const report = await runScenario(scenario, {
    ...run,
    metrics,
    signal: interruption.signal,
    onEvent: (message) => console.log(`  ${message}`),
  })
  if (process.stdout.isTTY) process.stdout.write('\n')
  console.log(textReport(report))
  reports.push(report)
  // Paths from where the user ran the command (INIT_CWD), and shown from there.
  const out = userPath(
    values.out
      ? chosen.length === 1
        ? values.out
        : join(values.out, scenario.name)
      : join('runs', bundleName(new Date(report.startedAt), scenario.name)),
  )
  await writeBundle(out, scenarioRecord(report, new Date(), { metrics, logs }))
  console.log(`  record: ${shownPath(out)}`)
  if (values.html) {
    const file = userPath(
      chosen.length === 1 ? values.html : values.html.replace(/(\.html)?$/, `-${scenario.name}.html`),
    )
    await writeFile(file, htmlReport(report))
    console.log(`  report: ${shownPath(file)}`)
  }
}
if (values.json) {
  const file = userPath(values.json)
  await writeFile(file, `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`)
  console.log(`json: ${shownPath(file)}`)
}
process.exitCode = reports.every((report) => report.ok) ? 0 : 1
