/**
 * A script's scenarios as k6 reads them from its options, and its executors' rules: how many VUs,
 * when iterations start, what `--scale` shrinks (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci).
 */
import { durationMs } from './duration.ts'

const EXECUTORS = [
  'constant-vus',
  'ramping-vus',
  'per-vu-iterations',
  'shared-iterations',
  'constant-arrival-rate',
  'ramping-arrival-rate',
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
  /** ramping-arrival-rate: the rate (per `timeUnitMs`) its first stage starts from; stages' targets are rates. */
  startRate: number
  timeUnitMs: number
  preAllocatedVUs: number
  /** Arrival-rate executors: VUs started during the run, when none of the pre-allocated is free. */
  maxVUs: number
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
    startRate: scenario.startRate ?? 0,
    timeUnitMs: durationMs(scenario.timeUnit ?? '1s'),
    preAllocatedVUs: scenario.preAllocatedVUs ?? scenario.maxVUs ?? 1,
    maxVUs: Math.max(scenario.maxVUs ?? 0, scenario.preAllocatedVUs ?? scenario.maxVUs ?? 1),
  }
}

/**
 * The scenario made `factor` times smaller (0 < factor ≤ 1): durations, start times, stages,
 * iteration counts and VUs, each kept at one or more so it still runs. For CI, where the whole
 * script must pass in seconds. An arrival rate is kept: its shorter time already makes its
 * iterations `factor` times fewer (scaling the rate too would make them factor² fewer).
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
      target: scenario.executor === 'ramping-arrival-rate' ? stage.target : Math.ceil(stage.target * factor),
    })),
    vus: count(scenario.vus),
    iterations: count(scenario.iterations),
    startVUs: Math.ceil(scenario.startVUs * factor),
    preAllocatedVUs: count(scenario.preAllocatedVUs),
    maxVUs: count(scenario.maxVUs),
  }
}

/** How many VUs a scenario starts with (an arrival-rate one may add more, up to `maxVUs`). */
export function maxVUs(scenario: Scenario): number {
  switch (scenario.executor) {
    case 'ramping-vus':
      return Math.max(scenario.startVUs, ...scenario.stages.map((stage) => stage.target), 1)
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
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

/**
 * The arrival-rate executors: when each iteration starts, in milliseconds from the scenario's start.
 * The rate moves linearly through each stage from the previous stage's target (the first from
 * `startRate`), as k6 ramps it; iteration k starts when the rate's integral since the start
 * reaches k, the first at once when the start rate is above zero.
 */
export function arrivalOffsets(
  scenario: Pick<Scenario, 'executor' | 'rate' | 'durationMs' | 'startRate' | 'stages' | 'timeUnitMs'>,
): number[] {
  // constant-arrival-rate is one stage held at its rate.
  if (scenario.executor === 'constant-arrival-rate') {
    return rampedOffsets({
      startRate: scenario.rate,
      stages: [{ durationMs: scenario.durationMs, target: scenario.rate }],
      timeUnitMs: scenario.timeUnitMs,
    })
  }
  return rampedOffsets(scenario)
}

function rampedOffsets(scenario: Pick<Scenario, 'startRate' | 'stages' | 'timeUnitMs'>): number[] {
  const offsets: number[] = []
  let from = scenario.startRate
  let stageStart = 0
  let before = 0 // the rate's integral over the stages before this one
  let next = from > 0 ? 0 : 1
  for (const { durationMs: length, target } of scenario.stages) {
    // The integral t into the stage: a·t² + b·t (iterations).
    const a = length > 0 ? (target - from) / (2 * length * scenario.timeUnitMs) : 0
    const b = from / scenario.timeUnitMs
    const inStage = a * length * length + b * length
    while (length > 0 && next - before <= inStage + 1e-9) {
      const need = next - before
      const t = a === 0 ? need / b : (-b + Math.sqrt(Math.max(0, b * b + 4 * a * need))) / (2 * a)
      offsets.push(stageStart + t)
      next++
    }
    before += inStage
    from = target
    stageStart += length
  }
  // One due exactly as the last stage ends starts after the scenario.
  return offsets.filter((offset) => offset < stageStart - 1e-6)
}
