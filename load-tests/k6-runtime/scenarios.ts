import { durationMs } from './duration.ts'

export const EXECUTORS = [
  'constant-vus',
  'ramping-vus',
  'per-vu-iterations',
  'shared-iterations',
  'constant-arrival-rate',
] as const
export type ExecutorName = (typeof EXECUTORS)[number]

export interface Stage {
  durationMs: number
  target: number
}

/** One scenario as the runtime runs it: k6's options, durations in milliseconds. */
export interface Scenario {
  name: string
  executor: ExecutorName
  /** The script's export each iteration calls (`exec`), `default` unless told. */
  exec: string
  startTimeMs: number
  vus: number
  durationMs: number
  iterations: number
  maxDurationMs: number
  stages: Stage[]
  startVUs: number
  /** constant-arrival-rate: iterations started per `timeUnitMs`. */
  rate: number
  timeUnitMs: number
  preAllocatedVUs: number
}

// biome-ignore lint/suspicious/noExplicitAny: a script's options are whatever it exports
type Options = Record<string, any>

const DEFAULT_MAX_DURATION_MS = 10 * 60_000

/**
 * The scenarios a script's options describe, as k6 reads them: `scenarios` when given; else the
 * shortcuts (`stages` → ramping-vus; `iterations` → shared-iterations over `vus`; `duration` →
 * constant-vus; nothing → one iteration of one VU).
 */
export function scenariosOf(options: Options = {}): Scenario[] {
  if (options.scenarios) {
    return Object.entries(options.scenarios as Record<string, Options>).map(([name, scenario]) =>
      normalise(name, scenario),
    )
  }
  const vus = options.vus ?? 1
  if (options.stages) return [normalise('default', { executor: 'ramping-vus', startVUs: vus, stages: options.stages })]
  if (options.iterations)
    return [normalise('default', { executor: 'shared-iterations', vus, iterations: options.iterations })]
  if (options.duration) return [normalise('default', { executor: 'constant-vus', vus, duration: options.duration })]
  return [normalise('default', { executor: 'shared-iterations', vus: 1, iterations: 1 })]
}

function normalise(name: string, scenario: Options): Scenario {
  if (!EXECUTORS.includes(scenario.executor)) {
    throw new Error(
      `scenario ${name}: executor ${JSON.stringify(scenario.executor)} is not one this runtime has (${EXECUTORS.join(', ')})`,
    )
  }
  const stages: Stage[] = (scenario.stages ?? []).map((stage: Options) => ({
    durationMs: durationMs(stage.duration),
    target: stage.target,
  }))
  return {
    name,
    executor: scenario.executor,
    exec: scenario.exec ?? 'default',
    startTimeMs: durationMs(scenario.startTime ?? 0),
    vus: scenario.vus ?? 1,
    durationMs: durationMs(scenario.duration ?? 0),
    iterations: scenario.iterations ?? 1,
    maxDurationMs: durationMs(scenario.maxDuration ?? DEFAULT_MAX_DURATION_MS),
    stages,
    startVUs: scenario.startVUs ?? 1,
    rate: scenario.rate ?? 0,
    timeUnitMs: durationMs(scenario.timeUnit ?? '1s'),
    preAllocatedVUs: scenario.preAllocatedVUs ?? scenario.maxVUs ?? 1,
  }
}

/**
 * The scenario made `factor` times smaller (0 < factor ≤ 1): durations, start times, stages,
 * iteration counts and VUs, each kept at one or more so it still runs. For CI, where the whole
 * script must pass in seconds.
 */
export function scaled(scenario: Scenario, factor: number): Scenario {
  const time = (ms: number) => Math.round(ms * factor)
  const count = (n: number) => Math.max(1, Math.round(n * factor))
  return {
    ...scenario,
    startTimeMs: time(scenario.startTimeMs),
    durationMs: time(scenario.durationMs),
    maxDurationMs: Math.max(time(scenario.maxDurationMs), 1000),
    stages: scenario.stages.map((stage) => ({
      durationMs: time(stage.durationMs),
      target: Math.ceil(stage.target * factor),
    })),
    vus: count(scenario.vus),
    iterations: count(scenario.iterations),
    startVUs: Math.ceil(scenario.startVUs * factor),
    preAllocatedVUs: count(scenario.preAllocatedVUs),
  }
}

/** How many VUs a scenario needs at most (the VU workers to start for it). */
export function maxVUs(scenario: Scenario): number {
  switch (scenario.executor) {
    case 'ramping-vus':
      return Math.max(scenario.startVUs, ...scenario.stages.map((stage) => stage.target), 1)
    case 'constant-arrival-rate':
      return scenario.preAllocatedVUs
    default:
      return scenario.vus
  }
}

/**
 * ramping-vus: the VUs wanted `elapsedMs` into the scenario, moving linearly from each stage's
 * start to its target, as k6 ramps them; `undefined` once the stages are over.
 */
export function rampingTarget(scenario: Scenario, elapsedMs: number): number | undefined {
  let from = scenario.startVUs
  let start = 0
  for (const stage of scenario.stages) {
    if (elapsedMs < start + stage.durationMs) {
      const progress = stage.durationMs === 0 ? 1 : (elapsedMs - start) / stage.durationMs
      return Math.round(from + (stage.target - from) * progress)
    }
    from = stage.target
    start += stage.durationMs
  }
  return undefined
}
