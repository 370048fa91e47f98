/**
 * `npm run experiment -- <file|name>`: validates an experiment, checks it against the fleet (its
 * faults exist), runs it and writes its record and journal. See docs/experiments.md#the-file-format.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { choiceOf, numberOption, readCommandLine, shownPath, usageError, userPath } from '@food/cli-kit/cli-args'
import { listenForInterruption } from '@food/cli-kit/interruption'
import { DEV_SERVICE_TOKEN } from '@food/config'
import { FleetClient } from '../fleet/fleet-client.ts'
import { Recorder } from '../fleet/recorder.ts'
import { gatewayEnvironment, isLoopback } from '../fleet/targets.ts'
import { markLogs } from '../record/logs.ts'
import { MetricsTable } from '../record/metric-columns.ts'
import { writeStoreTraces } from '../record/store-traces.ts'
import { startTraceReceiver, type TraceReceiver } from '../record/trace-receiver.ts'
import { recordName, writeRecord } from '../record/write-record.ts'
import { checkFaults, targetsOf } from './fleet-plane.ts'
import { htmlJournal } from './html-journal.ts'
import { InvalidExperiment, type LoadedExperiment, loadExperiment, type Problem } from './load-file.ts'
import { experimentNames, isExperimentName, namedExperimentFile } from './named-experiments.ts'
import { experimentRecord } from './record.ts'
import { runExperiment } from './run.ts'
import { SCHEMA_FILE, schemaText } from './schema-file.ts'
import { journalSummary } from './summary.ts'

const USAGE = `usage: npm run experiment -- <file.json|file.yaml|name> [options]
  a name runs load-tests/experiments/<name>.json: ${experimentNames().join(', ')}
  --scale <f>                   multiply every duration and the load's users by f (default 1)
  --hypothesis-frequency <s>    check the steady-state hypothesis every s seconds during the method (default 5)
  --out <dir>                   where the run's record goes (default runs/<time>-<file's name>/)
  --logs <dir>                  the services' log files, for the record's logs.jsonl
                                (default FLEET_LOG_DIR, else .fleet/logs where npm start writes them)
  --gateway <url>               send the load and the probes through the NGINX gateway (http://localhost);
                                the restaurant's internal routes still go to RESTAURANT_INTERNAL_URL or 127.0.0.1:8002
  --scrape-interval <s>         seconds between two scrapes of the services' /metrics (default 1)
  --seed <n>                    seed every fault set from n: a replay strikes the same requests
  --traces <host:port>          receive the fleet's spans there (OTLP/HTTP JSON) for the record's
                                traces.jsonl, instead of reading them from npm start's trace store
                                (trace_store_url, TRACE_STORE_URL: http://127.0.0.1:3200)
  --trace-sample <r>            keep this share of the traces, by trace id (default 1: all)
  --journal <path>              a copy of the journal there too
  --html <path>                 the journal as one self-contained page, with its charts
  --validate                    check the file (and its faults against the fleet), run nothing
  --write-schema                write ${SCHEMA_FILE} from the format
The fleet's URLs come from the experiment's configuration: user_url, restaurant_url, order_url
(default 127.0.0.1:8001-8003; USER_URL, RESTAURANT_URL, ORDER_URL override them).
CHAOS_TOKEN and SERVICE_TOKEN are read from the environment.`

// The old command's users are told where it went, before any option of theirs is refused.
if (process.env.npm_lifecycle_event === 'scenario')
  console.error(
    'npm run scenario is npm run experiment now: the same names, their hypotheses checked (--scale for a shorter run)',
  )

const { values, positionals } = readCommandLine(USAGE, {
  scale: { type: 'string', default: '1' },
  'hypothesis-frequency': { type: 'string', default: '5' },
  journal: { type: 'string' },
  out: { type: 'string' },
  logs: { type: 'string' },
  gateway: { type: 'string' },
  'scrape-interval': { type: 'string', default: '1' },
  seed: { type: 'string' },
  traces: { type: 'string' },
  'trace-sample': { type: 'string', default: '1' },
  html: { type: 'string' },
  validate: { type: 'boolean', default: false },
  'write-schema': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
})

// (A declaration, so that TypeScript knows nothing runs after it.)
function fail(message: string): never {
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
if (positionals.length > 1) usageError(`one experiment file at a time (got ${positionals.join(', ')})`, USAGE)
const given = positionals[0] ?? usageError('no experiment file given', USAGE)
// A name is a file of load-tests/experiments; a path is the user's, from where they ran the command.
const path = isExperimentName(given)
  ? (namedExperimentFile(choiceOf('experiment', given, experimentNames(), USAGE)) as string)
  : userPath(given)
const file = isExperimentName(given) ? shownPath(path) : given
const scale = numberOption('scale', values.scale, { min: 0, max: 10, aboveMin: true }, USAGE)
const frequency = numberOption('hypothesis-frequency', values['hypothesis-frequency'], { min: 0.2, max: 600 }, USAGE)
const scrapeIntervalS = numberOption('scrape-interval', values['scrape-interval'], { min: 0.2, max: 60 }, USAGE)
const seed =
  values.seed === undefined
    ? undefined
    : numberOption('seed', values.seed, { min: 0, max: 4_294_967_295, integer: true }, USAGE)
const traceSample = numberOption('trace-sample', values['trace-sample'], { min: 0, max: 1, aboveMin: true }, USAGE)
if (values.gateway && !isLoopback(values.gateway))
  usageError(`--gateway sends load to this machine only (http://localhost), not \`${values.gateway}\``, USAGE)
const env = values.gateway ? { ...process.env, ...gatewayEnvironment(values.gateway) } : process.env
if (values.traces && !isLoopback(`http://${values.traces}`))
  usageError(`--traces listens on this machine only (127.0.0.1:<port>), not \`${values.traces}\``, USAGE)

// Every problem at once: the file's own, then the fleet's (its faults, edges and containers),
// the latter for the activities whose shape is right even when others' is not.
let loaded: LoadedExperiment | undefined
let checkable: LoadedExperiment | undefined
const problems: Problem[] = []
try {
  loaded = await loadExperiment(path, env, file)
  checkable = loaded
} catch (error) {
  if (!(error instanceof InvalidExperiment)) throw error
  problems.push(...error.problems)
  checkable = error.checkable
}
try {
  if (checkable) {
    const client = new FleetClient(targetsOf(checkable.configuration), new Recorder(), process.env.CHAOS_TOKEN)
    problems.push(...(await checkFaults(checkable, client)).problems)
    await client.close()
  }
} catch (error) {
  fail(`${file}: ${(error as Error).message}`)
}
if (!loaded || problems.length > 0) fail(new InvalidExperiment(file, problems).message)
if (values.validate) {
  console.log(`${file}: valid`)
  process.exit(0)
}

// An interruption (Ctrl-C, SIGTERM, SIGHUP) stops the method and runs the rollbacks; a second one leaves at once.
const interruption = listenForInterruption()

// Every run leaves a record (runs/<time>-<name>/, or --out): its ground truth, metrics, logs, journal and verdict.
const recordDir = userPath(values.out ?? join('runs', recordName(new Date(), basename(path, extname(path)))))
await mkdir(recordDir, { recursive: true })
let traces: TraceReceiver | undefined
try {
  traces = values.traces
    ? await startTraceReceiver(values.traces, join(recordDir, 'traces.jsonl'), {
        fromMs: Date.now(),
        sample: traceSample,
      })
    : undefined
} catch (error) {
  fail(`--traces ${values.traces}: ${(error as Error).message}`)
}
const metrics = new MetricsTable(scrapeIntervalS * 1000)
const logs = await markLogs(values.logs === undefined ? undefined : userPath(values.logs))
const journal = await runExperiment(loaded, {
  scale,
  hypothesisFrequencyS: frequency,
  scrapeIntervalMs: scrapeIntervalS * 1000,
  metrics,
  seed,
  chaosToken: process.env.CHAOS_TOKEN,
  serviceToken: process.env.SERVICE_TOKEN ?? DEV_SERVICE_TOKEN,
  signal: interruption.signal,
  onEvent: (message) => console.log(message),
})
console.log(journalSummary(journal))
// The services' last spans of the run reach the receiver a batch later (OTEL_BSP_SCHEDULE_DELAY).
if (traces) await new Promise((resolve) => setTimeout(resolve, 1000))
await traces?.close()
// Without --traces, the traces the fleet's trace store kept for the run's time.
const storeTraces = traces
  ? undefined
  : await writeStoreTraces(
      String(loaded.configuration.trace_store_url),
      Date.parse(journal.start),
      Date.parse(journal.end),
      join(recordDir, 'traces.jsonl'),
    )
await writeRecord(
  recordDir,
  experimentRecord(journal, {
    metrics,
    logs,
    traces: traces && { address: traces.address, spans: traces.spans, refused: traces.refused, sample: traceSample },
    storeTraces,
  }),
)
console.log(`record: ${shownPath(recordDir)}`)
if (values.journal) {
  await writeFile(userPath(values.journal), `${JSON.stringify(journal, null, 2)}\n`)
  console.log(`journal: ${shownPath(userPath(values.journal))}`)
}
if (values.html) {
  await writeFile(userPath(values.html), htmlJournal(journal))
  console.log(`page: ${shownPath(userPath(values.html))}`)
}
const notSteadyBefore = journal.steady_states.before?.steady_state_met === false
const held = journal.status === 'completed' && !journal.deviated
// Exit code 0: the hypothesis held throughout; 1: it deviated, or the run failed, was interrupted by a
// safeguard or aborted; 2: a bad file (fail above), or a fleet that is not steady to begin with (nothing
// was injected); 3: not valid evidence (another client removed, changed or added a fault while it ran).
process.exit(journal.status === 'invalid' ? 3 : notSteadyBefore ? 2 : held ? 0 : 1)
