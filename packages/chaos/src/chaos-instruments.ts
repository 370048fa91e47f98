import type { MetricsRegistry } from '@food/metrics'
import { Counter, Gauge } from 'prom-client'
import type { FaultDefinition } from './fault-definition.ts'

export interface ChaosInstruments {
  /** Switches, by fault and action (set, clear, expire). */
  changes: Counter<'fault' | 'action'>
  /** Requests or operations a fault acted on. */
  injections: Counter<'fault'>
}

/**
 * The chaos dashboard's series: switches, injections, and each fault's strength, read from
 * `strength` at every scrape.
 */
export function createChaosInstruments(
  registry: MetricsRegistry,
  definitions: FaultDefinition[],
  strength: (name: string) => number,
): ChaosInstruments {
  const registers = [registry]
  new Gauge({
    name: 'chaos_fault_value',
    help: 'Current strength of each chaos fault (0 = off; ms, percent or 1 for on)',
    labelNames: ['fault'],
    registers,
    collect() {
      for (const definition of definitions) this.set({ fault: definition.name }, strength(definition.name))
    },
  })
  return {
    changes: new Counter({
      name: 'chaos_fault_changes_total',
      help: 'Chaos fault switches, by fault and action (set, clear, expire)',
      labelNames: ['fault', 'action'],
      registers,
    }),
    injections: new Counter({
      name: 'chaos_injections_total',
      help: 'Requests or operations a chaos fault acted on, by fault',
      labelNames: ['fault'],
      registers,
    }),
  }
}
