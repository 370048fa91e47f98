import { setTimeout as sleep } from 'node:timers/promises'
// Route schemas carry OpenAPI annotations (tags, hide) that @fastify/swagger declares.
import type {} from '@fastify/swagger'
import { injectedError } from '@food/errors'
import type {} from '@food/metrics'
import type {} from '@food/redis'
import { addSpanEvent } from '@food/telemetry/spans'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { createChaosInstruments } from './chaos-instruments.ts'
import { chaosRoutes } from './chaos-routes.ts'
import { ExperimentRunBoard } from './experiment-run-board.ts'
import {
  connectionLeakFault,
  cpuHogFault,
  delayFault,
  errorFault,
  type FaultDefinition,
  memoryLeakFault,
} from './fault-definition.ts'
import { isFaultExempt } from './fault-exempt.ts'
import { FaultStore } from './fault-store.ts'
import { FaultSwitchboard } from './fault-switchboard.ts'
import { NetworkFaults } from './network-faults.ts'
import { type CheckoutPool, ResourceFaults } from './resource-faults.ts'
import { SharedFaults } from './shared-faults.ts'

declare module 'fastify' {
  interface FastifyInstance {
    chaos: {
      /** Strength of a fault now: 0 when off (or chaos disabled), 1 for an enabled boolean fault. */
      current(name: string): number
      /** Whether a fault set as a percentage (payment_fail, restore_fail) strikes this time. */
      strikes(name: string): boolean
      /** Holds the caller for a delay fault's milliseconds, when it is on (inventory_delay). */
      hold(name: string): Promise<void>
    }
  }
}

export interface ChaosPluginOptions {
  enabled: boolean
  /** Faults of this service on top of the shared `delay` and `error`. */
  faults?: FaultDefinition[]
  /** Experiment settings shown by `GET /chaos` (e.g. the stock-locking strategy). */
  experiment?: Record<string, string | number | boolean>
  /** Source of randomness for the 50% error fault and the percentage faults set without a seed. */
  random?: () => number
  /** When set, changing a fault needs it in the X-Chaos-Token header (reading them does not). */
  token?: string | undefined
  /** The fault proxy's API, when this service's edges go through it; `service` names them. */
  faultProxy?: { url: string; service: string } | undefined
  /** The memory_leak fault's bound, MiB: 512, or half the heap limit if less, unless given. */
  memoryLeakMaxMb?: number | undefined
}

/**
 * The faults of a service: `app.chaos` for its code to consult (every fault that acts is recorded
 * first: fault on → record the injection → act), the shared delay and error faults on every
 * request, the faults' state shared with the other replicas, and the switches (`chaos-routes.ts`).
 */
const chaos: FastifyPluginAsync<ChaosPluginOptions> = async (app, options) => {
  // The service's PostgreSQL pool (@food/postgres, registered before): the one a connection leak drains.
  const pool = app.hasDecorator('pg') ? (app as unknown as { pg: CheckoutPool }).pg : undefined
  const definitions = [
    delayFault,
    errorFault,
    cpuHogFault,
    memoryLeakFault,
    ...(pool ? [connectionLeakFault] : []),
    ...(options.faults ?? []),
  ]
  const random = options.random ?? Math.random
  const instruments = createChaosInstruments(app.metrics.registry, definitions, (name) => store.current(name))
  const store = new FaultStore((name) => {
    instruments.changes.inc({ fault: name, action: 'expire' })
    app.log.warn({ fault: name }, 'chaos fault expired')
  })

  // Counted for the chaos dashboard, and marked on the trace of the request it struck.
  const recordInjection = (name: string) => {
    instruments.injections.inc({ fault: name })
    addSpanEvent('chaos.injected', { 'chaos.fault': name, 'chaos.value': store.current(name) })
  }
  const current = (name: string) => (options.enabled ? store.current(name) : 0)
  const strikes = (name: string) => {
    const struck = (store.draw(name) ?? random()) * 100 < current(name)
    if (struck) recordInjection(name)
    return struck
  }
  const hold = async (name: string) => {
    const delayMs = current(name)
    if (delayMs <= 0) return
    recordInjection(name)
    await sleep(delayMs)
  }
  app.decorate('chaos', { current, strikes, hold })
  const runs = new ExperimentRunBoard()
  app.addHook('onClose', async () => {
    store.clear()
    runs.clear()
  })

  if (!options.enabled) return
  const shared = new SharedFaults(app.redis, store, app.log)
  await shared.start()
  app.addHook('onClose', async () => shared.stop())

  // The process's own resources: CPU, memory, the pool's connections (resource-faults.ts).
  const resources = new ResourceFaults({
    current,
    injected: (name) => instruments.injections.inc({ fault: name }),
    registry: app.metrics.registry,
    log: app.log,
    pool,
    memoryBoundBytes: options.memoryLeakMaxMb === undefined ? undefined : options.memoryLeakMaxMb * 2 ** 20,
  })
  resources.start()
  // Before the pool closes, which waits for every connection checked out to come back.
  app.addHook('preClose', async () => resources.stop())

  app.addHook('onRequest', async (request) => {
    if (isFaultExempt(request.url)) return
    await hold(delayFault.name)
    if (current(errorFault.name) > 0 && (store.draw(errorFault.name) ?? random()) < 0.5) {
      recordInjection(errorFault.name)
      throw injectedError('CHAOS_INJECTED_ERROR', 'Error injected by chaos (POST /chaos/error)')
    }
  })

  await app.register(chaosRoutes, {
    definitions,
    store,
    switchboard: new FaultSwitchboard(store, shared, instruments.changes, app.log),
    experiment: options.experiment ?? {},
    runs,
    token: options.token,
    network: options.faultProxy && new NetworkFaults(options.faultProxy.url, options.faultProxy.service),
  })
}

export const chaosPlugin = fp(chaos, {
  name: '@food/chaos',
  fastify: '5.x',
  dependencies: ['@food/metrics', '@food/redis'],
})
