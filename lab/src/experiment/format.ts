/**
 * The experiment file's format, defined once: the runner's types, its validation and the published
 * JSON Schema (lab/experiment.schema.json) all derive from it (docs/experiments.md#the-file-format).
 */

import { FLEET_SERVICES } from '@food/config'
import { STREAMS, TOXIC_TYPES } from '@food/fault-proxy'
import { type Static, type TProperties, type TSchema, Type } from '@sinclair/typebox'
import { LOAD_PROFILE_NAMES } from '../load/load-profiles.ts'

const strict = { additionalProperties: false }
const literals = <T extends string>(values: readonly T[], options = {}) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  )

const Seconds = Type.Number({ minimum: 0, maximum: 3600, description: 'seconds' })
export const SERVICES = FLEET_SERVICES
const Service = literals(SERVICES, { description: 'a service of the fleet' })

const Pauses = Type.Object(
  {
    before: Type.Optional({ ...Seconds, description: 'seconds to wait before the activity' }),
    after: Type.Optional({ ...Seconds, description: 'seconds to wait after it' }),
  },
  strict,
)

// Tolerances, as Chaos Toolkit's: a value (equal), a list (one of), or a range, regex or jsonpath.
const Target = Type.Optional(
  Type.String({ description: 'which part of the output: status, body, headers (http), ok (invariants)' }),
)
const RangeTolerance = Type.Object(
  {
    type: Type.Literal('range'),
    range: Type.Tuple([Type.Number(), Type.Number()], { description: '[low, high], both included' }),
    target: Target,
  },
  strict,
)
const RegexTolerance = Type.Object({ type: Type.Literal('regex'), pattern: Type.String(), target: Target }, strict)
const JsonPathTolerance = Type.Object(
  {
    type: Type.Literal('jsonpath'),
    path: Type.String({ examples: ['$.faults.payment_fail'] }),
    expect: Type.Optional(Type.Unknown({ description: 'every match equals this (or, a list: the matches are it)' })),
    count: Type.Optional(Type.Integer({ minimum: 0, description: 'exactly this many matches' })),
    target: Target,
  },
  strict,
)
export const Tolerance = Type.Union(
  [
    Type.Boolean(),
    Type.Number(),
    Type.String(),
    Type.Null(),
    Type.Array(Type.Union([Type.Boolean(), Type.Number(), Type.String(), Type.Null()]), {
      description: 'the value is one of these',
    }),
    RangeTolerance,
    RegexTolerance,
    JsonPathTolerance,
  ],
  { description: 'what the probe’s value must be for the hypothesis to hold' },
)
export type Tolerance = Static<typeof Tolerance>

// Providers, this fleet's: `http`, `prometheus` (PromQL over the services' own /metrics), `invariants`
// and `fleet` (faults, and the load runner's load).
export const HttpProvider = Type.Object(
  {
    type: Type.Literal('http'),
    url: Type.String({
      description: 'any fleet URL; ${name} reads the configuration',
      examples: ['${order_url}/health'],
    }),
    method: Type.Optional(literals(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    arguments: Type.Optional(Type.Unknown({ description: 'the JSON body' })),
    timeout: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 120, description: 'seconds (default 5)' })),
  },
  strict,
)
export const PrometheusProvider = Type.Object(
  {
    type: Type.Literal('prometheus'),
    query: Type.String({
      description: 'PromQL over the services’ own /metrics, scraped by the runner every second',
      examples: [
        'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{route="/orders",method="POST"}[30s]))) >= 0 or vector(0)',
      ],
    }),
  },
  strict,
)
export const AlertProvider = Type.Object(
  {
    type: Type.Literal('alert'),
    alert: Type.Optional(
      Type.String({
        description: 'an alerting rule Prometheus has loaded (any, if left out)',
        examples: ['OrdersAnsweredBudgetBurn'],
      }),
    ),
    labels: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'labels the alert must carry',
        examples: [{ severity: 'page' }],
      }),
    ),
    source: Type.Optional(
      literals(['prometheus', 'alertmanager'], {
        description:
          'prometheus: its firing alerts (prometheus_url, default); alertmanager: its active ones (alertmanager_url)',
      }),
    ),
    wait_s: Type.Optional({
      ...Seconds,
      description: 'waits up to this long for a matching alert to fire (a method waiting for the page); 0 by default',
    }),
  },
  { ...strict, description: 'how many alerts matching it fire now: `0` as the tolerance says "no page fires"' },
)
export const InvariantsProvider = Type.Object(
  {
    type: Type.Literal('invariants'),
    settle_timeout_s: Type.Optional({ ...Seconds, description: 'how long orders may take to settle (default 60)' }),
  },
  strict,
)
export const FaultProvider = Type.Object(
  {
    type: Type.Literal('fleet'),
    action: Type.Literal('fault'),
    service: Service,
    fault: Type.String({ description: 'a fault of GET /chaos `available`', examples: ['payment_fail', 'delay'] }),
    value: Type.Union([Type.Number({ minimum: 0 }), Type.Boolean()], {
      description: 'the switch’s value: delay_ms, fail_percent, or true for enable',
    }),
    ttl_s: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 86_400,
        description: 'clears itself after this long (default: the run’s length + 60 s)',
      }),
    ),
  },
  strict,
)
const Edge = Type.String({
  description: 'an edge of the fault proxy (GET /proxies of toxiproxy_url), <from>-<to>',
  examples: ['order-restaurant', 'order-postgres', 'restaurant-redis'],
})
const EdgeTtl = Type.Optional(
  Type.Integer({
    minimum: 1,
    maximum: 86_400,
    description: 'undone after this long (default: the run’s length + 60 s)',
  }),
)
export const ToxicProvider = Type.Object(
  {
    type: Type.Literal('fleet'),
    action: Type.Literal('toxic'),
    edge: Edge,
    toxic: literals(TOXIC_TYPES, { description: 'a toxic as Toxiproxy names it' }),
    attributes: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]), {
        description:
          'the toxic’s, as Toxiproxy’s: latency, jitter, rate, delay, timeout, bytes; http_error’s status, body; postgres_error’s code (a SQLSTATE), message',
      }),
    ),
    stream: Type.Optional(
      literals(STREAMS, { description: 'upstream (to the callee) or downstream (back; the default)' }),
    ),
    toxicity: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'the chance it strikes a connection (default 1)' }),
    ),
    ttl_s: EdgeTtl,
  },
  strict,
)
export const EdgeDownProvider = Type.Object(
  { type: Type.Literal('fleet'), action: Type.Literal('edge-down'), edge: Edge, ttl_s: EdgeTtl },
  strict,
)
/** The signals a kill may send, as Docker takes them. */
export const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const
export const KillProvider = Type.Object(
  {
    type: Type.Literal('fleet'),
    action: Type.Literal('kill'),
    service: Service,
    signal: Type.Optional(literals(SIGNALS, { description: 'what is sent (default SIGKILL); it is started again' })),
  },
  strict,
)
export const PauseProvider = Type.Object(
  {
    type: Type.Literal('fleet'),
    action: Type.Literal('pause'),
    service: Service,
    duration_s: Type.Number({
      exclusiveMinimum: 0,
      maximum: 600,
      description: 'how long its process stays stopped (SIGSTOP, then SIGCONT)',
    }),
  },
  strict,
)
export const RestartProvider = Type.Object(
  {
    type: Type.Literal('fleet'),
    action: Type.Literal('restart'),
    service: Service,
    timeout_s: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 300, description: 'SIGTERM, then SIGKILL after this long (default 10)' }),
    ),
  },
  strict,
)
export const RedisPauseProvider = Type.Object(
  {
    type: Type.Literal('fleet'),
    action: Type.Literal('redis-pause'),
    duration_s: Type.Number({
      exclusiveMinimum: 0,
      maximum: 600,
      description: 'how long Redis holds its clients’ commands (CLIENT PAUSE)',
    }),
    mode: Type.Optional(
      literals(['ALL', 'WRITE'] as const, {
        description: 'every command (the default) or writes only, as Redis names them',
      }),
    ),
  },
  strict,
)
export const HoldLockProvider = Type.Object(
  {
    type: Type.Literal('fleet'),
    action: Type.Literal('hold-lock'),
    duration_s: Type.Number({
      exclusiveMinimum: 0,
      maximum: 600,
      description: 'how long a session holds the menu’s row lock (SELECT … FOR UPDATE in an open transaction)',
    }),
    menu_id: Type.Optional(
      Type.Integer({ minimum: 1, description: 'the menu whose row is locked (default: the method’s load’s menu)' }),
    ),
    database: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'the restaurant’s database (default: where the restaurant service is connected)',
      }),
    ),
  },
  strict,
)
export const TerminateSessionsProvider = Type.Object(
  {
    type: Type.Literal('fleet'),
    action: Type.Literal('terminate-sessions'),
    service: Service,
    database: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'only its sessions in this database (default: wherever the service is connected)',
      }),
    ),
  },
  strict,
)
/** The actions that go to the container engine (or npm start's supervisor, which speaks its API). */
export const PROCESS_ACTIONS = ['kill', 'pause', 'restart'] as const
export const ClearFaultsProvider = Type.Object(
  {
    type: Type.Literal('fleet'),
    action: Type.Literal('clear-faults'),
    service: Type.Optional({
      ...Service,
      description:
        'one service; every service, every edge of the fault proxy, every paused process and a paused Redis when left out',
    }),
  },
  strict,
)
export const LoadProvider = Type.Object(
  {
    type: Type.Literal('fleet'),
    action: Type.Literal('load'),
    profile: literals(LOAD_PROFILE_NAMES, { description: 'what each virtual user does' }),
    duration_s: Type.Number({ exclusiveMinimum: 0, maximum: 3600 }),
    concurrency: Type.Integer({ minimum: 1, maximum: 200, description: 'virtual users' }),
    stock: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'of the load’s own menu (default 100000)' }),
    ),
    max_requests: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  strict,
)

const activity = <P extends TSchema, E extends TProperties>(type: 'probe' | 'action', provider: P, extra: E) =>
  Type.Object(
    {
      type: Type.Literal(type),
      name: Type.String({ minLength: 1 }),
      provider,
      pauses: Type.Optional(Pauses),
      background: Type.Optional(Type.Boolean({ description: 'start it and go on without waiting for it' })),
      ...extra,
    },
    strict,
  )

const ProbeProvider = Type.Union([HttpProvider, PrometheusProvider, AlertProvider, InvariantsProvider])
const ActionProvider = Type.Union([
  HttpProvider,
  FaultProvider,
  ToxicProvider,
  EdgeDownProvider,
  KillProvider,
  PauseProvider,
  RestartProvider,
  RedisPauseProvider,
  HoldLockProvider,
  TerminateSessionsProvider,
  ClearFaultsProvider,
  LoadProvider,
])

export const Probe = activity('probe', ProbeProvider, { tolerance: Type.Optional(Tolerance) })
export const HypothesisProbe = activity('probe', ProbeProvider, { tolerance: Tolerance })
export const SafeguardProbe = activity('probe', ProbeProvider, {
  tolerance: Tolerance,
  frequency: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      maximum: 3600,
      description: 'seconds between checks (default: --hypothesis-frequency)',
    }),
  ),
})
export const Action = activity('action', ActionProvider, {})
export const Activity = Type.Union([Action, Probe])

const ConfigurationValue = Type.Union([
  Type.String(),
  Type.Number(),
  Type.Boolean(),
  Type.Object(
    {
      type: Type.Literal('env'),
      key: Type.String({ minLength: 1 }),
      default: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    },
    strict,
  ),
])

/**
 * An experiment file, in Chaos Toolkit's vocabulary: title, configuration, steady-state-hypothesis,
 * method, rollbacks, probes and actions with pauses and background, tolerances.
 */
export const Experiment = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    version: Type.Optional(Type.String()),
    title: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    tags: Type.Optional(Type.Array(Type.String())),
    contributions: Type.Optional(Type.Record(Type.String(), Type.String())),
    configuration: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), ConfigurationValue, {
        description:
          'values ${name} stands for; {"type": "env", "key": …} reads the environment. user_url, restaurant_url, order_url, restaurant_internal_url, toxiproxy_url, engine_url, compose_project, redis_url and postgres_url are given',
      }),
    ),
    'steady-state-hypothesis': Type.Optional(
      Type.Object({ title: Type.String(), probes: Type.Array(HypothesisProbe, { minItems: 1 }) }, strict),
    ),
    method: Type.Array(Activity, { minItems: 1 }),
    rollbacks: Type.Optional(Type.Array(Action)),
    safeguards: Type.Optional(
      Type.Array(SafeguardProbe, {
        description:
          'the probes of Chaos Toolkit’s safeguards control: one failing interrupts the method and rolls back',
      }),
    ),
  },
  { ...strict, $id: 'https://github.com/food-delivery-fleet/experiment.schema.json', title: 'Chaos experiment' },
)

export type Experiment = Static<typeof Experiment>
export type ActivityDefinition = Static<typeof Activity>
export type ActionDefinition = Static<typeof Action>
export type LoadDefinition = Static<typeof LoadProvider>
export type FaultDefinition = Static<typeof FaultProvider>
