import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readExperiment } from '../src/experiment/load-file.ts'
import { experimentRecord } from '../src/experiment/record.ts'
import { runExperiment } from '../src/experiment/run.ts'
import { type AnswerKeyEntry, symptomShown } from '../src/record/answer-key.ts'
import type { InjectionFile } from '../src/record/injection.ts'
import { MetricsTable } from '../src/record/metric-columns.ts'
import { writeRecord } from '../src/record/write-record.ts'

/** The actions that take a TTL; a process or dependency fault ends by itself. */
const TIMED = new Set(['fault', 'toxic', 'edge-down'])

/**
 * An answer key's fault alone under 3 users, on from 2 s for 4 s (a TTL, or its own duration),
 * as `npm run experiment` runs it, its record written and read back; whether its symptom showed.
 * (4 s: a row's rates span 2.5 s, and a slowed service answers few requests, so a shorter fault
 * leaves no row whose median is the fault's alone.) `env`: the experiment's configuration
 * (USER_URL, …, TOXIPROXY_URL, FLEET_ENGINE_URL, REDIS_URL, POSTGRES_URL); `extra`: arguments the
 * test's fleet needs (a database name).
 */
export async function recordFault(
  name: string,
  entry: AnswerKeyEntry,
  run: { env: Record<string, string>; serviceToken: string; extra?: Record<string, unknown> },
) {
  const inject = { ...entry.inject, ...run.extra, ...(TIMED.has(String(entry.inject.action)) ? { ttl_s: 4 } : {}) }
  const experiment = {
    title: `answer key: ${name}`,
    method: [
      {
        type: 'action',
        name: 'the load',
        background: true,
        provider: { type: 'fleet', action: 'load', profile: entry.profile, duration_s: 8, concurrency: 3 },
      },
      { type: 'action', name, pauses: { before: 2 }, provider: { type: 'fleet', ...inject } },
    ],
    rollbacks: [{ type: 'action', name: 'clear every fault', provider: { type: 'fleet', action: 'clear-faults' } }],
  }
  const metrics = new MetricsTable(1000)
  const journal = await runExperiment(readExperiment(JSON.stringify(experiment), `${name}.json`, run.env), {
    scale: 1,
    hypothesisFrequencyS: 5,
    serviceToken: run.serviceToken,
    metrics,
  })
  const recordDir = join(await mkdtemp(join(tmpdir(), 'answer-key-')), name.replaceAll('/', '-'))
  await writeRecord(recordDir, experimentRecord(journal, { metrics }))
  const truth = JSON.parse(await readFile(join(recordDir, 'injection.json'), 'utf8')) as InjectionFile
  const csv = await readFile(join(recordDir, 'metrics.csv'), 'utf8')
  const [injection] = truth.injections
  if (journal.status !== 'completed' || !injection || truth.injections.length !== 1) {
    const why =
      journal.run.find((activity) => activity.status === 'failed')?.exception?.join(' ') ?? journal.interruption
    return { dead: `${name}: the run ${journal.status} (${why}), ${truth.injections.length} faults applied` }
  }
  const seen = symptomShown(csv, injection, entry.symptom)
  console.log(
    `${name}: ${entry.symptom.column} before ${JSON.stringify(seen.before)}, during ${JSON.stringify(seen.during)}`,
  )
  return { dead: seen.shown ? undefined : `${name}: no sign of "${entry.symptom.says}" in ${entry.symptom.column}` }
}
