/**
 * A run's ground truth (injection.json): every fault the fleet applied, with its target, its
 * parameters and when it was in force (docs/experiments.md#the-record-of-a-run).
 */
import { EDGE_NAMES, type EdgeName } from '@food/fault-proxy/fleet-edges'
import type { FaultWindow } from '../load/phases.ts'

/** What a fault struck: a service's own switch, a process, an edge of the network, or a dependency. */
export type InjectionTarget =
  | { kind: 'switch'; service: string }
  | { kind: 'process'; service: string }
  | { kind: 'network'; edge: EdgeName; from: string; to: string }
  | { kind: 'dependency'; dependency: 'postgres' | 'redis'; service?: string }

export interface Injection {
  target: InjectionTarget
  fault: string
  value: FaultWindow['value']
  parameters: Record<string, unknown>
  /** Wall-clock ISO times, and seconds from the run's start. */
  start: string
  end: string
  from_s: number
  until_s: number
  ended_by: FaultWindow['ended_by']
  /** Set by another client, seen in force on the fleet: not this run's fault, but in force all the same. */
  foreign?: true
}

export interface InjectionFile {
  experiment: string
  /** The run's start (ISO); every `from_s`/`until_s` counts from it. */
  started_at: string
  /** The run's seed (`--seed`), each fault's own in its parameters; null when the run had none. */
  seed: number | null
  injections: Injection[]
}

const PROCESS_FAULTS = new Set(['kill', 'pause', 'restart'])

export function targetOf(window: Pick<FaultWindow, 'service' | 'fault'>): InjectionTarget {
  // Done in PostgreSQL itself, not on the proxy's edge of the same name.
  if (window.fault === 'terminate-sessions' || window.fault === 'row-lock') {
    return { kind: 'dependency', dependency: 'postgres', service: window.service.replace(/-postgres$/, '') }
  }
  if (window.service === 'redis') return { kind: 'dependency', dependency: 'redis' }
  if ((EDGE_NAMES as readonly string[]).includes(window.service)) {
    const [from = '', to = ''] = window.service.split('-')
    return { kind: 'network', edge: window.service as EdgeName, from, to }
  }
  if (PROCESS_FAULTS.has(window.fault)) return { kind: 'process', service: window.service }
  return { kind: 'switch', service: window.service }
}

/**
 * From the experiment's fault ledger: each fault switched on when its action succeeded; off when
 * cleared, switched off, expired by its TTL, or a killed process back.
 */
export function injectionFile(run: {
  title: string
  start: string
  seed: number | null
  windows: FaultWindow[]
}): InjectionFile {
  const started = Date.parse(run.start)
  const at = (s: number) => new Date(started + s * 1000).toISOString()
  return {
    experiment: run.title,
    started_at: run.start,
    seed: run.seed,
    injections: run.windows.map((window) => ({
      target: targetOf(window),
      fault: window.fault,
      value: window.value,
      parameters: window.parameters ?? {},
      start: at(window.from_s),
      end: at(window.until_s),
      from_s: window.from_s,
      until_s: window.until_s,
      ended_by: window.ended_by,
      ...(window.foreign ? { foreign: true as const } : {}),
    })),
  }
}
