/**
 * `npm run experiment -- <file>`: validates an experiment, checks it against the fleet (its
 * faults exist), runs it and writes its journal. Exit code 0: the hypothesis held throughout;
 * 1: it deviated, or the run failed, was interrupted by a safeguard or aborted; 2: a bad file, or a
 * fleet that is not steady to begin with (nothing was injected). Every run leaves a bundle
 * (runs/<time>-<name>/, or --out): its ground truth, metrics, logs, journal and verdict.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEV_SERVICE_TOKEN } from '@food/config'
import { markLogs } from '../bundle/logs.ts'
import { MetricsTable } from '../bundle/metric-columns.ts'
import { startTraceReceiver, type TraceReceiver } from '../bundle/trace-receiver.ts'
import { bundleName, writeBundle } from '../bundle/write-bundle.ts'
import { FleetClient } from '../fleet-client.ts'
import { Recorder } from '../recorder.ts'
import { isLoopback } from '../targets.ts'
import { checkFaults, targetsOf } from './fleet-plane.ts'
import { htmlJournal } from './html-journal.ts'
import { InvalidExperiment, loadExperiment } from './load-file.ts'
import { experimentRecord } from './record.ts'
import { runExperiment } from './run.ts'
import { SCHEMA_FILE, schemaText } from './schema-file.ts'
import { journalSummary } from './summary.ts'

const USAGE = `usage: npm run experiment -- <file.json|file.yaml> [options]
  --scale <f>                   multiply every duration and the load's users by f (default 1)
  --hypothesis-frequency <s>    check the steady-state hypothesis every s seconds during the method (default 5)
  --out <dir>                   where the run's bundle goes (default runs/<time>-<file's name>/)
  --logs <dir>                  the services' log files, for the bundle's logs.jsonl
                                (default FLEET_LOG_DIR, else .fleet/logs where npm start writes them)
  --scrape-interval <s>         seconds between two scrapes of the services' /metrics (default 1)
  --seed <n>                    seed every fault set from n: a replay strikes the same requests
  --traces <host:port>          receive the fleet's spans there (OTLP/HTTP JSON) for the bundle's
                                traces.jsonl: 127.0.0.1:4318 for a fleet started with
                                OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/json
  --trace-sample <r>            keep this share of the traces, by trace id (default 1: all)
  --journal <path>              a copy of the journal there too
  --html <path>                 the journal as one self-contained page, with its charts
  --validate                    check the file (and its faults against the fleet), run nothing
  --write-schema                write ${SCHEMA_FILE} from the format
The fleet's URLs come from the experiment's configuration: user_url, restaurant_url, order_url
(default 127.0.0.1:8001-8003; USER_URL, RESTAURANT_URL, ORDER_URL override them).
CHAOS_TOKEN and SERVICE_TOKEN are read from the environment, as for npm run scenario.`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scale: { type: 'string', default: '1' },
    'hypothesis-frequency': { type: 'string', default: '5' },
    journal: { type: 'string' },
    out: { type: 'string' },
    logs: { type: 'string' },
    'scrape-interval': { type: 'string', default: '1' },
    seed: { type: 'string' },
    traces: { type: 'string' },
    'trace-sample': { type: 'string', default: '1' },
    html: { type: 'string' },
    validate: { type: 'boolean', default: false },
    'write-schema': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})

const fail = (message: string): never => {
  console.error(message)
  process.exit(2)
}

if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
if (values['write-schema']) {
  await writeFile(SCHEMA_FILE, schemaText())
  console.log(`wrote ${SCHEMA_FILE}`)
  process.exit(0)
}
const file = positionals[0] ?? fail(USAGE)
const scale = Number(values.scale)
if (!(scale > 0 && scale <= 10)) fail('--scale must be a number in (0, 10]')
const frequency = Number(values['hypothesis-frequency'])
if (!(frequency >= 0.2 && frequency <= 600)) fail('--hypothesis-frequency must be 0.2..600 seconds')
const scrapeIntervalS = Number(values['scrape-interval'])
if (!(scrapeIntervalS >= 0.2 && scrapeIntervalS <= 60)) fail('--scrape-interval must be 0.2..60 seconds')
const seed = values.seed === undefined ? undefined : Number(values.seed)
if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 4_294_967_295))
  fail('--seed must be an integer 0..4294967295')
const traceSample = Number(values['trace-sample'])
if (!(traceSample > 0 && traceSample <= 1)) fail('--trace-sample must be in (0, 1]')
if (values.traces && !isLoopback(`http://${values.traces}`))
  fail('--traces listens on this machine only: 127.0.0.1:<port>')

let loaded: Awaited<ReturnType<typeof loadExperiment>>
try {
  loaded = await loadExperiment(file)
  const client = new FleetClient(targetsOf(loaded.configuration), new Recorder(), process.env.CHAOS_TOKEN)
  const { problems } = await checkFaults(loaded, client)
  await client.close()
  if (problems.length > 0) throw new InvalidExperiment(file, problems)
} catch (error) {
  fail(error instanceof InvalidExperiment ? error.message : `${file}: ${(error as Error).message}`)
  throw error
}
if (values.validate) {
  console.log(`${file}: valid`)
  process.exit(0)
}

// Ctrl-C stops the method and runs the rollbacks; a second one leaves at once.
const abort = new AbortController()
process.on('SIGINT', () => {
  if (abort.signal.aborted) {
    console.error('second Ctrl-C: leaving without waiting for the rollbacks (faults clear by their TTL)')
    process.exit(130)
  }
  abort.abort()
})

const bundle = values.out ?? join('runs', bundleName(new Date(), basename(file, extname(file))))
await mkdir(bundle, { recursive: true })
let traces: TraceReceiver | undefined
try {
  traces = values.traces
    ? await startTraceReceiver(values.traces, join(bundle, 'traces.jsonl'), {
        fromMs: Date.now(),
        sample: traceSample,
      })
    : undefined
} catch (error) {
  fail(`--traces ${values.traces}: ${(error as Error).message}`)
}
const metrics = new MetricsTable(scrapeIntervalS * 1000)
const logs = await markLogs(values.logs)
const journal = await runExperiment(loaded, {
  scale,
  hypothesisFrequencyS: frequency,
  scrapeIntervalMs: scrapeIntervalS * 1000,
  metrics,
  seed,
  chaosToken: process.env.CHAOS_TOKEN,
  serviceToken: process.env.SERVICE_TOKEN ?? DEV_SERVICE_TOKEN,
  signal: abort.signal,
  onEvent: (message) => console.log(message),
})
console.log(journalSummary(journal))
// The services' last spans of the run reach the receiver a batch later (OTEL_BSP_SCHEDULE_DELAY).
if (traces) await new Promise((resolve) => setTimeout(resolve, 1000))
await traces?.close()
await writeBundle(
  bundle,
  experimentRecord(journal, {
    metrics,
    logs,
    traces: traces && { address: traces.address, spans: traces.spans, refused: traces.refused, sample: traceSample },
  }),
)
console.log(`bundle: ${bundle}`)
if (values.journal) {
  await writeFile(values.journal, `${JSON.stringify(journal, null, 2)}\n`)
  console.log(`journal: ${values.journal}`)
}
if (values.html) {
  await writeFile(values.html, htmlJournal(journal))
  console.log(`page: ${values.html}`)
}
const notSteadyBefore = journal.steady_states.before?.steady_state_met === false
process.exit(notSteadyBefore ? 2 : journal.status === 'completed' && !journal.deviated ? 0 : 1)
