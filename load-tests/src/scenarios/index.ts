import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { scheduleOf } from '../../k6/chaos-plan.js'
import { readExperiment } from '../experiment/load-file.ts'
import { LOAD_PROFILES } from '../load-profiles.ts'
import type { Scenario } from '../scenario.ts'

const EXPERIMENTS = fileURLToPath(new URL('../../experiments/', import.meta.url))

/** What a scenario checks beyond its experiment's hypothesis (from the answers' X-Cache headers). */
const EXTRAS: Record<string, Partial<Scenario>> = { 'cache-effect': { minCacheHitRatio: 0.5 } }

/**
 * A scenario is an experiment file's load and chaos plan (read through the same chaos-plan.js the
 * k6 scripts use), run by the scenario runner for its report: the schedule is written once.
 */
function scenarioOf(file: string): Scenario {
  const name = file.replace(/\.json$/, '')
  const { experiment } = readExperiment(readFileSync(`${EXPERIMENTS}${file}`, 'utf8'), file)
  const { load, durationS, faults } = scheduleOf(experiment)
  if (!load) throw new Error(`${file}: a scenario needs a load action`)
  return {
    name,
    description: experiment.title,
    durationS: load.duration_s,
    concurrency: load.concurrency,
    stock: load.stock ?? 100_000,
    chaos: faults.map(({ service, fault, value, fromS, untilS }) => ({
      service,
      fault,
      value,
      from: fromS / durationS,
      until: untilS / durationS,
    })),
    iteration: LOAD_PROFILES[load.profile].iteration,
    ...EXTRAS[name],
  }
}

/** Every experiment file of load-tests/experiments/: the original sample's six and a storm. */
export const SCENARIOS: Scenario[] = readdirSync(EXPERIMENTS)
  .filter((file) => file.endsWith('.json') && file !== 'schema.json')
  .sort()
  .map(scenarioOf)

export const scenarioNamed = (name: string): Scenario | undefined =>
  SCENARIOS.find((scenario) => scenario.name === name)
