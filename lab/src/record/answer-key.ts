/**
 * The answer key: for every fault the fleet can inject, the symptom it must cause as a run's record
 * shows it, so that no switch is dead (docs/experiments.md#the-record-of-a-run).
 */
import type { ToxicType } from '@food/fault-proxy/toxics'
import type { Injection } from './injection.ts'

/**
 * What must be seen in the fault's window that was not before it. A delay of 400 ms is looked
 * for as a rise of 200 ms: a p50 is read from histogram buckets
 * (0.25 to 0.5 s here), so it shows about 0.35 s, and the rows before the fault include the
 * load's start (its users signing up, hashing passwords), slower than its steady pace.
 */
export type SymptomCheck =
  /** Some row of the window above `value`, and no row before the fault. */
  | { kind: 'above'; value: number }
  /** The window's highest row at least `by` above the median of the rows before the fault. */
  | { kind: 'rises-by'; by: number }
  /** Some row of the window below `value`, and no row before the fault. */
  | { kind: 'below'; value: number }

export interface Symptom {
  /** A column of metrics.csv. */
  column: string
  check: SymptomCheck
  /** The symptom in words, for a failure to say what was missing. */
  says: string
}

/**
 * A fault's entry. Its symptom is a column of metrics.csv, looked for in the fault's window of
 * injection.json; a switch whose symptom does not appear is a dead switch: lab/test/answer-key.test.ts
 * switches each on alone, briefly, under load, and fails on it. A fault with no entry fails that test too.
 */
export interface AnswerKeyEntry {
  /** The experiment action that injects the fault, its target included (a `fleet` provider). */
  inject: Record<string, unknown>
  /** The load it is watched under (a profile of LOAD_PROFILES). */
  profile: 'order' | 'cancel-reorder' | 'order-then-read'
  symptom: Symptom
  /**
   * The alerts that must catch it: one of them firing within the deadline under the shop load
   * (`npm run alerts -- coverage`, docs/alerts.md#coverage).
   */
  alerts: string[]
}

/** The faults of the services' chaos planes, by `<service>/<fault>` (GET /chaos `available`). */
export const SWITCH_KEY: Record<string, AnswerKeyEntry> = {
  'user/delay': {
    // A second: the login SLO allows a password hash up to one (400 ms more is within it).
    inject: { action: 'fault', service: 'user', fault: 'delay', value: 1000 },
    profile: 'order',
    // The order service gives up on the user service after USER_TIMEOUT_MS (1 s): the calls it
    // abandons are never answered, so the user service's own figures do not show them.
    symptom: {
      column: 'order_client_p50_s{user}',
      check: { kind: 'rises-by', by: 0.5 },
      says: 'the order service’s median call to the user service half a second slower',
    },
    alerts: ['LoginLatencyBudgetBurn'],
  },
  'user/error': {
    inject: { action: 'fault', service: 'user', fault: 'error', value: true },
    profile: 'order',
    symptom: {
      column: 'user_error_ratio',
      check: { kind: 'above', value: 0 },
      says: 'the user service answers 5xx',
    },
    alerts: ['LoginAnsweredBudgetBurn'],
  },
  'restaurant/delay': {
    inject: { action: 'fault', service: 'restaurant', fault: 'delay', value: 400 },
    profile: 'order',
    symptom: {
      column: 'restaurant_p50_s',
      check: { kind: 'rises-by', by: 0.2 },
      says: 'the restaurant service’s median answer 200 ms slower',
    },
    alerts: ['MenusLatencyBudgetBurn', 'LatencyHigh'],
  },
  'restaurant/error': {
    inject: { action: 'fault', service: 'restaurant', fault: 'error', value: true },
    profile: 'order',
    symptom: {
      column: 'restaurant_error_ratio',
      check: { kind: 'above', value: 0 },
      says: 'the restaurant service answers 5xx',
    },
    alerts: ['MenusAnsweredBudgetBurn', 'OrdersAnsweredBudgetBurn'],
  },
  'restaurant/inventory_delay': {
    inject: { action: 'fault', service: 'restaurant', fault: 'inventory_delay', value: 400 },
    profile: 'order',
    symptom: {
      column: 'restaurant_p50_s{PUT /inventory/:menuId}',
      check: { kind: 'rises-by', by: 0.2 },
      says: 'stock changes 200 ms slower (the row lock held)',
    },
    alerts: ['LatencyHigh', 'OrdersLatencyBudgetBurn'],
  },
  'order/delay': {
    inject: { action: 'fault', service: 'order', fault: 'delay', value: 400 },
    profile: 'order',
    symptom: {
      column: 'order_p50_s',
      check: { kind: 'rises-by', by: 0.2 },
      says: 'the order service’s median answer 200 ms slower',
    },
    alerts: ['OrdersLatencyBudgetBurn', 'LatencyHigh'],
  },
  'order/error': {
    inject: { action: 'fault', service: 'order', fault: 'error', value: true },
    profile: 'order',
    symptom: {
      column: 'order_error_ratio',
      check: { kind: 'above', value: 0 },
      says: 'the order service answers 5xx',
    },
    alerts: ['OrdersAnsweredBudgetBurn'],
  },
  'order/payment_fail': {
    inject: { action: 'fault', service: 'order', fault: 'payment_fail', value: 100 },
    profile: 'order',
    symptom: {
      column: 'order_orders{FAILED payment_failed}',
      check: { kind: 'above', value: 0 },
      says: 'orders FAILED for payment_failed',
    },
    alerts: ['OrdersCompletedBudgetBurn'],
  },
  'order/restore_fail': {
    inject: { action: 'fault', service: 'order', fault: 'restore_fail', value: 100 },
    profile: 'cancel-reorder',
    symptom: {
      column: 'order_stock_releases{deferred}',
      check: { kind: 'above', value: 0 },
      says: 'cancelled orders’ stock releases deferred to the recoverer',
    },
    alerts: ['StockReleasesDeferred'],
  },
  'user/cpu_hog': {
    inject: { action: 'fault', service: 'user', fault: 'cpu_hog', value: 80 },
    profile: 'order',
    symptom: {
      column: 'user_event_loop_lag_p99_s',
      check: { kind: 'rises-by', by: 0.4 },
      says: 'the user service’s event loop lagging 400 ms more (a CPU hog)',
    },
    alerts: ['EventLoopLag', 'LatencyHigh'],
  },
  'user/memory_leak': {
    inject: { action: 'fault', service: 'user', fault: 'memory_leak', value: 50 },
    profile: 'order',
    symptom: {
      column: 'user_rss_bytes',
      check: { kind: 'rises-by', by: 41_943_040 },
      says: 'the user service’s resident memory 40 MiB larger',
    },
    alerts: ['MemoryGrowing'],
  },
  'restaurant/cpu_hog': {
    inject: { action: 'fault', service: 'restaurant', fault: 'cpu_hog', value: 80 },
    profile: 'order',
    symptom: {
      column: 'restaurant_event_loop_lag_p99_s',
      check: { kind: 'rises-by', by: 0.4 },
      says: 'the restaurant service’s event loop lagging 400 ms more (a CPU hog)',
    },
    alerts: ['EventLoopLag', 'LatencyHigh'],
  },
  'restaurant/memory_leak': {
    inject: { action: 'fault', service: 'restaurant', fault: 'memory_leak', value: 50 },
    profile: 'order',
    symptom: {
      column: 'restaurant_rss_bytes',
      check: { kind: 'rises-by', by: 41_943_040 },
      says: 'the restaurant service’s resident memory 40 MiB larger',
    },
    alerts: ['MemoryGrowing'],
  },
  'order/cpu_hog': {
    inject: { action: 'fault', service: 'order', fault: 'cpu_hog', value: 80 },
    profile: 'order',
    symptom: {
      column: 'order_event_loop_lag_p99_s',
      check: { kind: 'rises-by', by: 0.4 },
      says: 'the order service’s event loop lagging 400 ms more (a CPU hog)',
    },
    alerts: ['EventLoopLag', 'LatencyHigh', 'OrdersLatencyBudgetBurn'],
  },
  'order/memory_leak': {
    inject: { action: 'fault', service: 'order', fault: 'memory_leak', value: 50 },
    profile: 'order',
    symptom: {
      column: 'order_rss_bytes',
      check: { kind: 'rises-by', by: 41_943_040 },
      says: 'the order service’s resident memory 40 MiB larger',
    },
    alerts: ['MemoryGrowing'],
  },
  // A connection leak: the pool runs dry. The user service's requests under this load are answered
  // from its cache, so nothing waits there: the pool's own count shows it.
  'user/connection_leak': {
    inject: { action: 'fault', service: 'user', fault: 'connection_leak', value: 10 },
    profile: 'order',
    symptom: {
      column: 'user_db_connections_active',
      check: { kind: 'rises-by', by: 5 },
      says: 'the user service’s PostgreSQL connections checked out and never given back',
    },
    alerts: ['DatabasePoolExhausted'],
  },
  'restaurant/connection_leak': {
    inject: { action: 'fault', service: 'restaurant', fault: 'connection_leak', value: 10 },
    profile: 'order',
    symptom: {
      column: 'restaurant_p99_s',
      check: { kind: 'rises-by', by: 1 },
      says: 'the restaurant service’s slowest answers a second slower, waiting for a connection',
    },
    alerts: ['DatabasePoolExhausted', 'DatabasePoolSaturated'],
  },
  'order/connection_leak': {
    inject: { action: 'fault', service: 'order', fault: 'connection_leak', value: 10 },
    profile: 'order',
    symptom: {
      column: 'order_p99_s',
      check: { kind: 'rises-by', by: 1 },
      says: 'the order service’s slowest answers a second slower, waiting for a connection',
    },
    alerts: ['DatabasePoolExhausted', 'DatabasePoolSaturated', 'OrdersLatencyBudgetBurn', 'OrdersAnsweredBudgetBurn'],
  },
}

/**
 * The network's faults, each on the order → restaurant edge (the one the saga cannot do without),
 * postgres_error on the order service's PostgreSQL edge. slow_close has no entry of its own: see NO_SYMPTOM.
 */
export const TOXIC_KEY: Partial<Record<ToxicType | 'down', AnswerKeyEntry>> = {
  latency: {
    inject: { action: 'toxic', edge: 'order-restaurant', toxic: 'latency', attributes: { latency: 500 } },
    profile: 'order',
    symptom: {
      column: 'order_client_p50_s{restaurant}',
      check: { kind: 'rises-by', by: 0.4 },
      says: 'the order service’s median call to the restaurant 400 ms slower',
    },
    alerts: ['OrdersLatencyBudgetBurn', 'LatencyHigh'],
  },
  bandwidth: {
    inject: { action: 'toxic', edge: 'order-restaurant', toxic: 'bandwidth', attributes: { rate: 1 } },
    profile: 'order',
    symptom: {
      column: 'order_client_p50_s{restaurant}',
      check: { kind: 'rises-by', by: 0.1 },
      says: 'the order service’s calls to the restaurant slower, at 1 KB/s',
    },
    alerts: ['OrdersLatencyBudgetBurn', 'LatencyHigh'],
  },
  timeout: {
    inject: { action: 'toxic', edge: 'order-restaurant', toxic: 'timeout', attributes: { timeout: 0 } },
    profile: 'order',
    symptom: {
      column: 'order_error_ratio',
      check: { kind: 'above', value: 0 },
      says: 'orders answered 5xx (the restaurant past its deadline)',
    },
    alerts: ['DependencyTimingOut', 'OrdersAnsweredBudgetBurn'],
  },
  reset_peer: {
    inject: { action: 'toxic', edge: 'order-restaurant', toxic: 'reset_peer', attributes: { timeout: 0 } },
    profile: 'order',
    symptom: {
      column: 'order_error_ratio',
      check: { kind: 'above', value: 0 },
      says: 'orders answered 5xx (the restaurant’s connections reset)',
    },
    alerts: ['DependencyUnavailable', 'OrdersAnsweredBudgetBurn'],
  },
  limit_data: {
    inject: { action: 'toxic', edge: 'order-restaurant', toxic: 'limit_data', attributes: { bytes: 64 } },
    profile: 'order',
    symptom: {
      column: 'order_error_ratio',
      check: { kind: 'above', value: 0 },
      says: 'orders answered 5xx (the restaurant’s answers cut short)',
    },
    alerts: ['DependencyUnavailable', 'OrdersAnsweredBudgetBurn'],
  },
  // The protocol toxics: answers the edge makes itself, to half the requests or queries.
  http_error: {
    inject: {
      action: 'toxic',
      edge: 'order-restaurant',
      toxic: 'http_error',
      attributes: { status: 503 },
      toxicity: 0.5,
    },
    profile: 'order',
    symptom: {
      column: 'order_error_ratio',
      check: { kind: 'above', value: 0 },
      says: 'orders answered 5xx (the restaurant’s edge answering 503)',
    },
    alerts: ['OrdersAnsweredBudgetBurn', 'DependencyErrors'],
  },
  postgres_error: {
    inject: {
      action: 'toxic',
      edge: 'order-postgres',
      toxic: 'postgres_error',
      attributes: { code: '57P01' },
      toxicity: 0.5,
    },
    profile: 'order',
    symptom: {
      column: 'order_error_ratio',
      check: { kind: 'above', value: 0 },
      says: 'orders answered 5xx (the order database refusing queries)',
    },
    alerts: ['OrdersAnsweredBudgetBurn'],
  },
  down: {
    inject: { action: 'edge-down', edge: 'order-restaurant' },
    profile: 'order',
    symptom: {
      column: 'order_error_ratio',
      check: { kind: 'above', value: 0 },
      says: 'orders answered 5xx (the restaurant unreachable)',
    },
    alerts: ['DependencyUnavailable', 'OrdersAnsweredBudgetBurn'],
  },
}

/**
 * The processes' faults, on the order service (npm start's supervisor, or a Docker engine,
 * starting it again): a kill leaves scrapes unanswered, a restart starts a new process, a pause
 * holds a scrape until the process runs again.
 */
export const PROCESS_KEY: Record<'kill' | 'restart' | 'pause', AnswerKeyEntry> = {
  kill: {
    inject: { action: 'kill', service: 'order' },
    profile: 'order',
    symptom: {
      column: 'order_up',
      check: { kind: 'below', value: 1 },
      says: 'a scrape of the order service unanswered',
    },
    alerts: ['ServiceDown', 'ServiceRestarted', 'ServiceUnresponsive'],
  },
  restart: {
    inject: { action: 'restart', service: 'order', timeout_s: 5 },
    profile: 'order',
    symptom: {
      column: 'order_start_time_s',
      check: { kind: 'rises-by', by: 1 },
      says: 'the order service’s process started anew',
    },
    alerts: ['ServiceRestarted', 'ServiceUnresponsive'],
  },
  pause: {
    inject: { action: 'pause', service: 'order', duration_s: 3 },
    profile: 'order',
    symptom: {
      column: 'order_scrape_duration_s',
      check: { kind: 'rises-by', by: 1 },
      says: 'a scrape of the order service held a second or more',
    },
    alerts: ['ServiceUnresponsive', 'EventLoopStalled'],
  },
}

/** The dependencies' faults: Redis stalled, the order service's PostgreSQL sessions ended, a menu's row lock held. */
export const DEPENDENCY_KEY: Record<'redis-pause' | 'terminate-sessions' | 'hold-lock', AnswerKeyEntry> = {
  'redis-pause': {
    inject: { action: 'redis-pause', duration_s: 3 },
    profile: 'order',
    symptom: {
      column: 'restaurant_cache_errors',
      check: { kind: 'above', value: 0 },
      says: 'the restaurant’s cache lookups failing over to PostgreSQL',
    },
    alerts: ['CacheErrors', 'MenusLatencyBudgetBurn'],
  },
  'terminate-sessions': {
    inject: { action: 'terminate-sessions', service: 'order' },
    profile: 'order',
    symptom: {
      column: 'order_db_connections_lost',
      check: { kind: 'above', value: 0 },
      says: 'the order service’s idle PostgreSQL connections lost',
    },
    alerts: ['DatabaseConnectionsLost'],
  },
  // The load's menu's row locked for 30 s (cleared sooner by the run's rollback): orders queue behind it.
  'hold-lock': {
    inject: { action: 'hold-lock', duration_s: 30 },
    profile: 'order',
    symptom: {
      column: 'order_error_ratio',
      check: { kind: 'above', value: 0 },
      says: 'orders answered 5xx, the locked menu’s stock out of reach',
    },
    alerts: [
      'OrdersLatencyBudgetBurn',
      'OrdersAnsweredBudgetBurn',
      'OrdersCompletedBudgetBurn',
      'DependencyTimingOut',
      'DatabasePoolSaturated',
    ],
  },
}

/** Every entry of the key by one name, `<where>/<fault>`: what `npm run alerts -- coverage` runs. */
export const ANSWER_KEY: [string, AnswerKeyEntry][] = [
  ...Object.entries(SWITCH_KEY),
  ...Object.entries(TOXIC_KEY).map(
    ([toxic, entry]) => [`${String(entry.inject.edge)}/${toxic}`, entry] as [string, AnswerKeyEntry],
  ),
  ...Object.entries(PROCESS_KEY).map(([fault, entry]) => [`order/${fault}`, entry] as [string, AnswerKeyEntry]),
  ['redis/pause', DEPENDENCY_KEY['redis-pause']],
  ['order-db/terminate-sessions', DEPENDENCY_KEY['terminate-sessions']],
  ['restaurant-db/hold-lock', DEPENDENCY_KEY['hold-lock']],
]

/**
 * Faults that this fleet cannot show, and why: each a known blind spot, not a silent one.
 * slow_close holds back a connection's close; the services' clients keep their connections open
 * (keep-alive) and never wait for one to close, so nothing they measure moves.
 */
export const NO_SYMPTOM: Partial<Record<ToxicType, string>> = {
  slow_close: 'the services keep their connections alive and never wait for one to close',
}

/** Whether the symptom shows in a run's metrics.csv, in the injection's window; what was seen. */
export function symptomShown(
  csv: string,
  injection: Pick<Injection, 'start' | 'end'>,
  symptom: Symptom,
  /** How long after its end a fault still shows: a rate's range spans two scrapes and a half. */
  lingerMs = 3000,
): { shown: boolean; before: number[]; during: number[] } {
  const [header = '', ...rows] = csv.trim().split('\n')
  const columns = parseCsvLine(header)
  const at = columns.indexOf(symptom.column)
  const from = Date.parse(injection.start)
  const until = Date.parse(injection.end) + lingerMs
  const before: number[] = []
  const during: number[] = []
  for (const row of rows) {
    const cells = parseCsvLine(row)
    const time = Number(cells[0]) * 1000
    const cell = at < 0 ? '' : (cells[at] ?? '')
    if (cell === '') continue
    if (time < from) before.push(Number(cell))
    else if (time <= until) during.push(Number(cell))
  }
  const check = symptom.check
  const shown =
    check.kind === 'above'
      ? during.some((value) => value > check.value) && before.every((value) => value <= check.value)
      : check.kind === 'below'
        ? during.some((value) => value < check.value) && before.every((value) => value >= check.value)
        : Math.max(...during) - median(before) >= check.by
  return { shown, before, during }
}

const median = (values: number[]) => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length / 2
  return Number.isInteger(middle)
    ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
    : (sorted[Math.floor(middle)] ?? 0)
}

/** One line of metrics.csv: its fields, quotes undone. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const char = line[i]
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      fields.push(field)
      field = ''
    } else field += char
  }
  fields.push(field)
  return fields
}
