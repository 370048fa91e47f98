/**
 * `npm run alerts -- coverage|quiet`: whether every fault of the answer key is caught by an alert in
 * time, and whether healthy load pages nobody (docs/alerts.md#coverage).
 */
import { choiceOf, numberOption, readCommandLine, usageError } from '@food/cli-kit/cli-args'
import { listenForInterruption } from '@food/cli-kit/interruption'
import { DEV_SERVICE_TOKEN } from '@food/config'
import { notOneOf } from '@food/errors/suggest'
import { alertNames, prometheusAlerts } from '../fleet/alerts.ts'
import { ANSWER_KEY } from '../record/answer-key.ts'
import { coverageTable, measureCoverage } from './coverage.ts'
import { measureQuiet } from './quiet.ts'

const COMMANDS = ['coverage', 'quiet'] as const
const USAGE = `usage: npm run alerts -- <command> [options]
  coverage    each fault of the answer key alone under the shop load, until one of its alerts fires;
              prints the matrix fault × alert × time to detect; exit 1 when a fault was not caught in time
    --only <a,b>          these faults only, by their names in the answer key (order/error,order-restaurant/down)
    --deadline <s>        seconds from the fault's start for an alert to fire (default 60)
    --warm <s>            seconds of load before each fault (default 10)
    --settle <s>          seconds to wait for the last fault's alerts to stop firing (default 180)
  quiet       the shop load, healthy, for --duration; exit 1 when any alert fired (a false page)
    --duration <s>        seconds of load (default 600)
  either:
    --concurrency <n>     the load's virtual users (default 3)
The fleet's URLs and Prometheus' come from the environment as for experiments (USER_URL, …,
PROMETHEUS_URL, default http://127.0.0.1:9090, which npm start runs when it is installed).`

const { values, positionals } = readCommandLine(USAGE, {
  only: { type: 'string' },
  deadline: { type: 'string', default: '60' },
  warm: { type: 'string', default: '10' },
  settle: { type: 'string', default: '180' },
  duration: { type: 'string', default: '600' },
  concurrency: { type: 'string', default: '3' },
  help: { type: 'boolean', default: false },
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
if (positionals.length !== 1) usageError(`one command: ${COMMANDS.join(' or ')}`, USAGE)
const command = choiceOf('command', positionals[0] as string, COMMANDS, USAGE)
const concurrency = numberOption('concurrency', values.concurrency, { min: 1, max: 50, integer: true }, USAGE)
const deadlineS = numberOption('deadline', values.deadline, { min: 1, max: 3600 }, USAGE)
const warmS = numberOption('warm', values.warm, { min: 0, max: 600 }, USAGE)
const settleS = numberOption('settle', values.settle, { min: 0, max: 3600 }, USAGE)
const durationS = numberOption('duration', values.duration, { min: 1, max: 86_400 }, USAGE)
const names = ANSWER_KEY.map(([name]) => name)
const only = values.only?.split(',').map((name) => name.trim())
for (const name of only ?? []) if (!names.includes(name)) usageError(`--only: ${notOneOf(name, names, 'fault')}`, USAGE)
const faults = ANSWER_KEY.filter(([name]) => !only || only.includes(name))

const prometheusUrl = process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090'
const loaded = await alertNames(prometheusUrl)
if (!loaded) {
  console.error(
    `no Prometheus answers at ${prometheusUrl} (PROMETHEUS_URL): npm start runs one when it is installed (apt-get install prometheus prometheus-alertmanager)`,
  )
  process.exit(2)
}
const interruption = listenForInterruption()
const common = {
  env: process.env,
  serviceToken: process.env.SERVICE_TOKEN ?? DEV_SERVICE_TOKEN,
  concurrency,
  signal: interruption.signal,
  onEvent: (message: string) => console.log(message),
}

if (command === 'coverage') {
  const unknown = [...new Set(faults.flatMap(([, entry]) => entry.alerts))].filter((alert) => !loaded.includes(alert))
  if (unknown.length > 0) {
    console.error(
      `Prometheus at ${prometheusUrl} has not loaded ${unknown.join(', ')}: is it running the rules of infra/prometheus/rules?`,
    )
    process.exit(2)
  }
  const rows = await measureCoverage(faults, {
    ...common,
    deadlineS,
    warmS,
    settleS,
  })
  console.log(`\n${coverageTable(rows, deadlineS)}`)
  process.exit(rows.length === faults.length && rows.every((row) => row.caught) ? 0 : 1)
} else {
  const firing = (await prometheusAlerts(prometheusUrl)).filter((alert) => alert.state === 'firing')
  if (firing.length > 0) {
    console.error(
      `already firing before the load: ${firing.map((alert) => alert.labels.alertname).join(', ')}; wait for them to resolve`,
    )
    process.exit(1)
  }
  const quiet = await measureQuiet({ ...common, durationS })
  console.log(`\n${quiet.requests} requests in ${durationS} s of healthy shopping (${quiet.status})`)
  for (const alert of quiet.fired)
    console.log(
      `fired: ${alert.alert} (${alert.labels.severity ?? ''}) at ${alert.at_s} s ${JSON.stringify(alert.labels)}`,
    )
  if (quiet.pending.length > 0) console.log(`pending, never fired: ${quiet.pending.join(', ')}`)
  console.log(quiet.fired.length === 0 ? 'no alert fired' : `${quiet.fired.length} alerts fired: false pages`)
  process.exit(quiet.status === 'completed' && quiet.fired.length === 0 ? 0 : 1)
}
