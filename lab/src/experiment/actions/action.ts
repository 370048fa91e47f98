/**
 * One signature for every fleet action of an experiment (docs/experiments.md#providers): the
 * provider as the file writes it, and the run it acts on; it resolves to what the journal records.
 */

import type { ToxiproxyClient } from '@food/fault-proxy/toxiproxy-client'
import type { FleetClient, Service } from '../../fleet/fleet-client.ts'
import type { Recorder } from '../../fleet/recorder.ts'
import type { RunningLoad } from '../../load/load.ts'
import type { FaultLedger } from '../fault-ledger.ts'
import type { ChaosSwitch } from '../fleet-plane.ts'
import type { ActionDefinition, Experiment } from '../format.ts'
import type { Journal } from '../journal.ts'
import type { ProcessFaults } from '../process-faults.ts'
import type { RedisPause } from '../redis-pause.ts'
import type { RowLocks } from '../row-lock.ts'
import type { FaultSeeds } from '../seeds.ts'

export type FleetProvider = Extract<ActionDefinition['provider'], { type: 'fleet' }>
export type FleetActionName = FleetProvider['action']
export type ProviderOf<A extends FleetActionName> = Extract<FleetProvider, { action: A }>

/** What an action may read and change of the run it is part of. */
export interface RunContext {
  readonly experiment: Experiment
  readonly configuration: Record<string, unknown>
  /** Multiplies every duration and the load's users (--scale). */
  readonly scale: number
  readonly serviceToken: string
  readonly client: FleetClient
  readonly recorder: Recorder
  /** Every fault window of the run: opened by the action that set it, closed by what ended it. */
  readonly ledger: FaultLedger
  /** The switches each service offers (GET /chaos `available`). */
  readonly available: Map<Service, ChaosSwitch[]>
  readonly proxy: ToxiproxyClient
  readonly processes: ProcessFaults
  readonly redis: RedisPause
  /** The row locks this run's sessions hold (hold-lock). */
  readonly locks: RowLocks
  readonly seeds: FaultSeeds | undefined
  readonly journal: Journal
  /** Seconds since the run began. */
  seconds(): number
  say(message: string): void
  /** Whether the run is stopping: what an action starts then, it stops at once. */
  stopping(): boolean
  /** The method's load, once one has started; `untilMs` once it is done. */
  load: (RunningLoad & { untilMs?: number }) | undefined
}

export type Action<A extends FleetActionName> = (provider: ProviderOf<A>, run: RunContext) => Promise<unknown>

/** A fault's TTL in seconds: as the file asks, else the method's length and a minute more; scaled, at least 1. */
export const ttlOf = (run: RunContext, ttlS: number | undefined): number =>
  Math.max(1, Math.round((ttlS ?? methodSeconds(run.experiment) + 60) * run.scale))

/** The length of the method as written, in seconds: pauses and loads. */
function methodSeconds(experiment: Experiment): number {
  return experiment.method.reduce((sum, activity) => {
    const pauses = (activity.pauses?.before ?? 0) + (activity.pauses?.after ?? 0)
    const load =
      activity.provider.type === 'fleet' && activity.provider.action === 'load' ? activity.provider.duration_s : 0
    return sum + pauses + load
  }, 0)
}
