import type { FastifyBaseLogger } from 'fastify'
import type { Counter } from 'prom-client'
import type { ActiveFault, FaultValue } from './fault-state.ts'
import type { FaultStore } from './fault-store.ts'
import type { SharedFaults } from './shared-faults.ts'

/**
 * Every switch of a fault goes through here: this replica's store, then the other replicas
 * (through Redis), then the count and the log line the chaos dashboard and the operator read.
 */
export class FaultSwitchboard {
  readonly #store: FaultStore
  readonly #shared: SharedFaults
  readonly #changes: Counter<'fault' | 'action'>
  readonly #log: FastifyBaseLogger

  constructor(store: FaultStore, shared: SharedFaults, changes: Counter<'fault' | 'action'>, log: FastifyBaseLogger) {
    this.#store = store
    this.#shared = shared
    this.#changes = changes
    this.#log = log
  }

  async set(name: string, value: FaultValue, ttlSeconds?: number, seed: number | null = null): Promise<ActiveFault> {
    const fault = this.#store.set(name, value, ttlSeconds, seed)
    await this.#shared.set(name, fault)
    this.#changes.inc({ fault: name, action: 'set' })
    this.#log.warn({ fault: name, value, ttl_s: ttlSeconds, ...(seed === null ? {} : { seed }) }, 'chaos fault set')
    return fault
  }

  /** Clears one fault, or every fault; returns the names of those that were on here. */
  async clear(name?: string): Promise<string[]> {
    const cleared = this.#store.clear(name)
    await this.#shared.clear(name === undefined ? undefined : [name])
    // A fault named is counted as cleared even if it was already off here: the switch was thrown.
    for (const fault of name === undefined ? cleared : [name]) this.#changes.inc({ fault, action: 'clear' })
    if (name === undefined) this.#log.warn({ cleared }, 'chaos faults cleared')
    else this.#log.warn({ fault: name }, 'chaos fault cleared')
    return cleared
  }

  /**
   * A fault switched elsewhere (a network fault, held by the fault proxy), counted and logged as
   * the others are: `fault` is `<edge>/<toxic type>` or `<edge>/down`.
   */
  recordElsewhere(fault: string, action: 'set' | 'clear', fields: Record<string, unknown> = {}): void {
    this.#changes.inc({ fault, action })
    this.#log.warn({ fault, ...fields }, action === 'set' ? 'chaos fault set' : 'chaos fault cleared')
  }
}
