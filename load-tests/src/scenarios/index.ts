import { LOAD_PROFILES } from '../load-profiles.ts'
import type { Scenario } from '../scenario.ts'

/** The seed's scenarios, and a storm of all its faults at once. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'payment-chaos',
    description: '30% of payments fail: FAILED orders, their stock given back',
    stock: 100_000,
    chaos: [{ service: 'order', fault: 'payment_fail', body: { fail_percent: 30 }, from: 0, until: 1 }],
    iteration: LOAD_PROFILES['order-then-read'].iteration,
  },
  {
    name: 'concurrent-orders',
    description: 'many users, one menu with 50 in stock: exactly 50 sold, never below zero',
    stock: 50,
    chaos: [],
    iteration: LOAD_PROFILES.order.iteration,
  },
  {
    name: 'cancel-reorder',
    description: 'order, read, cancel, order again: every cancel gives its stock back once',
    stock: 100_000,
    chaos: [],
    iteration: LOAD_PROFILES['cancel-reorder'].iteration,
  },
  {
    name: 'cache-effect',
    description: 'repeated reads of menus and of an order: MISS first, then HIT',
    stock: 100_000,
    chaos: [],
    minCacheHitRatio: 0.5,
    iteration: LOAD_PROFILES['cache-reads'].iteration,
  },
  {
    name: 'full-flow',
    description: 'signup → login → menus → order → status → cancel, across the three services',
    stock: 100_000,
    chaos: [],
    iteration: LOAD_PROFILES['full-flow'].iteration,
  },
  {
    name: 'latency',
    description: 'user service 2 s slow, then stock changes 3 s slow: orders fail fast (504), nothing hangs',
    stock: 100_000,
    chaos: [
      { service: 'user', fault: 'delay', body: { delay_ms: 2000 }, from: 0.1, until: 0.45 },
      { service: 'restaurant', fault: 'inventory_delay', body: { delay_ms: 3000 }, from: 0.55, until: 0.9 },
    ],
    iteration: LOAD_PROFILES['order-then-read'].iteration,
  },
  {
    name: 'storm',
    description: 'every fault at once: payment and restore failures, slow and failing dependencies',
    stock: 100_000,
    chaos: [
      { service: 'order', fault: 'payment_fail', body: { fail_percent: 30 }, from: 0, until: 1 },
      { service: 'order', fault: 'restore_fail', body: { fail_percent: 30 }, from: 0, until: 1 },
      { service: 'user', fault: 'delay', body: { delay_ms: 200 }, from: 0.2, until: 0.8 },
      { service: 'restaurant', fault: 'inventory_delay', body: { delay_ms: 300 }, from: 0.3, until: 0.7 },
      { service: 'restaurant', fault: 'error', body: { enable: true }, from: 0.4, until: 0.6 },
    ],
    iteration: LOAD_PROFILES['order-then-read'].iteration,
  },
]

export const scenarioNamed = (name: string): Scenario | undefined =>
  SCENARIOS.find((scenario) => scenario.name === name)
