import { type TBoolean, type TInteger, Type } from '@sinclair/typebox'
import { FAULT_EXEMPT_PATHS } from './fault-exempt.ts'

const EXEMPT_IN_WORDS = `${FAULT_EXEMPT_PATHS.join(', ')} and what lies under them`

/**
 * A fault a service can switch on with `POST /chaos/{route}` and a body `{<field>: value, ttl_s?}`.
 * The value 0 or false switches it off.
 */
export interface FaultDefinition {
  /** Key in `GET /chaos`, in metrics and in `app.chaos.current(name)`. */
  name: string
  /** Path segment after `/chaos/`; the original sample's clients know routes such as `payment_fail`. */
  route: string
  /** Body field that carries the value, e.g. `delay_ms`, `enable`, `fail_percent`. */
  field: string
  schema: TInteger | TBoolean
  summary: string
  description: string
}

export const delayFault: FaultDefinition = {
  name: 'delay',
  route: 'delay',
  field: 'delay_ms',
  schema: Type.Integer({ minimum: 0, maximum: 60_000, examples: [2000] }),
  summary: 'Add latency to every route',
  description: `Every request but ${EXEMPT_IN_WORDS} waits delay_ms before it is handled. 0 switches it off.`,
}

export const errorFault: FaultDefinition = {
  name: 'error',
  route: 'error',
  field: 'enable',
  schema: Type.Boolean({ examples: [true] }),
  summary: 'Answer 50% of requests with a 500',
  description: `While enabled, half of the requests (chosen at random, or from the seed given) fail with 500 CHAOS_INJECTED_ERROR before their handler runs. Never affects ${EXEMPT_IN_WORDS}.`,
}

/**
 * The resource faults: the process itself misbehaves, as it does in real incidents, instead of a
 * request being told to. Each is bounded, and undone when cleared or when its TTL ends (a restart
 * undoes it too, unless the fault is still in force in Redis): resource-faults.ts.
 */
export const cpuHogFault: FaultDefinition = {
  name: 'cpu_hog',
  route: 'cpu_hog',
  field: 'busy_percent',
  schema: Type.Integer({ minimum: 0, maximum: 90, examples: [50] }),
  summary: 'Burn CPU on the event loop',
  description:
    'Every second, the process spins on its event loop for busy_percent of the second in one synchronous loop, as a hot loop or a periodic CPU-bound task does: every request, timer and probe that falls in it waits. The event loop lag (nodejs_eventloop_lag_p99_seconds) rises to about busy_percent × 10 ms (20 and more: the EventLoopLag alert), latency with it, and the CPU used (process_cpu_seconds_total) by about busy_percent % of a core. At most 90, so the switch that clears it still gets through. 0 switches it off.',
}

export const memoryLeakFault: FaultDefinition = {
  name: 'memory_leak',
  route: 'memory_leak',
  field: 'mb_per_s',
  schema: Type.Integer({ minimum: 0, maximum: 50, examples: [10] }),
  summary: 'Leak memory: retain mb_per_s more every second',
  description:
    'The process retains mb_per_s MiB more of objects on its JavaScript heap every second and never lets them go, as a cache without eviction or a listener never removed does: nodejs_heap_size_used_bytes and process_resident_memory_bytes grow, and garbage collections with them. It stops growing at its bound, 512 MiB or half the heap limit (--max-old-space-size) if that is less, so it never runs the process out of memory. Cleared (or past its TTL), everything it retained is released at once, as a restart would. 0 switches it off.',
}

export const connectionLeakFault: FaultDefinition = {
  name: 'connection_leak',
  route: 'connection_leak',
  field: 'connections_per_s',
  schema: Type.Integer({ minimum: 0, maximum: 50, examples: [2] }),
  summary: 'Leak PostgreSQL connections: check out connections_per_s a second and never return them',
  description:
    "Every second, connections_per_s connections of the service's PostgreSQL pool (the one its requests use) are checked out and never released, as a code path that forgets release() does, until the pool (DATABASE_POOL_MAX) has none left: database_connections_active reaches the pool's size, requests that need the database wait for a connection (database_pool_waiting_requests, the DatabasePoolSaturated alert) and after DATABASE_POOL_TIMEOUT_MS are answered 503 DATABASE_BUSY, and readiness fails. Cleared (or past its TTL), every leaked connection goes back to the pool. 0 switches it off.",
}
