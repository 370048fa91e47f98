import { errorResponse } from '@food/errors'
import { STREAMS, TOXIC_TYPES } from '@food/fault-proxy/toxics'
import { Type } from '@sinclair/typebox'
import { ExperimentRun, ExperimentRunShown } from './experiment-run.ts'
import type { FaultDefinition } from './fault-definition.ts'
import { FaultState } from './fault-state.ts'

export const TOKEN_HEADER = 'x-chaos-token'

/** What the routes that change faults add to their schema when a CHAOS_TOKEN is set. */
export const tokenSchema = {
  headers: Type.Object({
    [TOKEN_HEADER]: Type.Optional(Type.String({ description: "The service's CHAOS_TOKEN" })),
  }),
  denied: { 401: errorResponse(401, 'CHAOS_TOKEN_INVALID') },
}
type TokenSchema = typeof tokenSchema | undefined

const tokenParts = (token: TokenSchema) => (token ? { headers: token.headers } : {})

/** A network fault's answer: what was switched, on which edge. */
const NetworkChange = Type.Object({ message: Type.String(), edge: Type.String(), fault: Type.String() })

export const EdgeView = Type.Object({
  enabled: Type.Boolean({ description: 'false: the edge is down, every connection refused' }),
  toxics: Type.Array(
    Type.Object({
      name: Type.String(),
      type: Type.String(),
      stream: Type.String(),
      toxicity: Type.Number(),
      // Numbers, and text for the protocol toxics (an HTTP body, a PostgreSQL code and message).
      attributes: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()])),
      // As the switches show theirs (set with ttl_s); absent from a proxy that does not say.
      expires_at: Type.Optional(
        Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
          description: 'when the fault proxy removes it; null: until removed',
        }),
      ),
      ttl_s: Type.Optional(
        Type.Union([Type.Integer(), Type.Null()], {
          description: 'the whole seconds it has left; null: until removed',
        }),
      ),
    }),
  ),
  down_expires_at: Type.Optional(
    Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'taken down with ttl_s: when the fault proxy brings it up again; null: up, or down until enabled',
    }),
  ),
  down_ttl_s: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], { description: 'the whole seconds it stays down; null as above' }),
  ),
})

/** The `network` part of GET /chaos: the service's edges through the fault proxy. */
export const NetworkView = Type.Union(
  [
    Type.Object({ edges: Type.Record(Type.String(), EdgeView) }),
    Type.Object({ error: Type.String({ description: 'why the edges could not be read' }) }),
    Type.Null(),
  ],
  { description: 'the network faults of the edges this service calls out on; null without a fault proxy' },
)

export const showChaosSchema = {
  tags: ['chaos'],
  summary: 'Show the faults in force and the experiment settings',
  response: {
    200: Type.Object({
      enabled: Type.Boolean(),
      faults: Type.Record(Type.String(), FaultState),
      available: Type.Array(Type.Object({ name: Type.String(), route: Type.String(), field: Type.String() })),
      experiment: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
      run: Type.Union([ExperimentRunShown, Type.Null()], {
        description: 'the experiment in progress, as its runner said',
      }),
      network: NetworkView,
    }),
  },
}

export const showRunSchema = (token: TokenSchema) => ({
  tags: ['chaos'],
  summary: 'Say which experiment is in progress (its runner does, for the chaos console)',
  description: 'Lapses after ttl_s unless said again: a runner that died leaves nothing behind.',
  ...tokenParts(token),
  body: Type.Object(
    { run: ExperimentRun, ttl_s: Type.Integer({ minimum: 1, maximum: 3600 }) },
    { additionalProperties: false },
  ),
  response: { 200: Type.Object({ message: Type.String() }), 400: errorResponse(400), ...token?.denied },
})

export const clearRunSchema = (token: TokenSchema) => ({
  tags: ['chaos'],
  summary: 'Say that no experiment is in progress any more',
  ...tokenParts(token),
  response: { 200: Type.Object({ message: Type.String() }), ...token?.denied },
})

export const clearChaosSchema = (token: TokenSchema) => ({
  tags: ['chaos'],
  summary: 'Clear every fault',
  ...tokenParts(token),
  response: { 200: Type.Object({ message: Type.String(), cleared: Type.Array(Type.String()) }), ...token?.denied },
})

const FaultChange = Type.Object({
  message: Type.String(),
  fault: Type.String(),
  value: Type.Union([Type.Integer(), Type.Boolean()]),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})

const SEED = Type.Optional(
  Type.Integer({
    minimum: 0,
    maximum: 4_294_967_295,
    description:
      'Draws the fault’s chances (which requests a percentage or the 50% error strikes) from this seed: the same seed strikes the same requests of a replayed run, in the order they come',
  }),
)

const TTL_SECONDS = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 86_400, description: 'Clears the fault after this many seconds' }),
)

export const switchFaultSchema = (definition: FaultDefinition, token: TokenSchema) => ({
  tags: ['chaos'],
  summary: definition.summary,
  description: definition.description,
  ...tokenParts(token),
  body: Type.Object(
    { [definition.field]: definition.schema, ttl_s: TTL_SECONDS, seed: SEED },
    { additionalProperties: false },
  ),
  response: { 200: FaultChange, 400: errorResponse(400), ...token?.denied },
})

const EdgeParams = (edges: readonly string[]) =>
  Type.Object({
    edge: literalsOf(edges, "an edge this service switches: one it calls out on, or the gateway's to it, <from>-<to>"),
  })

/** One of `values`: an `enum`, so a wrong value gets one message that lists them all. */
function literalsOf<T extends string>(values: readonly T[], description: string) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], description })
}

export const setToxicSchema = (edges: readonly string[], token: TokenSchema) => ({
  tags: ['chaos'],
  summary: 'Put a network fault (a Toxiproxy toxic) on one of this service’s edges',
  description:
    'Through the fault proxy. The toxic is named <type>_<stream>; setting it again replaces it. ttl_s removes it by itself.',
  ...tokenParts(token),
  params: EdgeParams(edges),
  body: Type.Object(
    {
      type: literalsOf(TOXIC_TYPES, 'a toxic as Toxiproxy names it'),
      attributes: Type.Optional(
        Type.Record(Type.String(), Type.Union([Type.Integer({ minimum: 0 }), Type.String({ maxLength: 1000 })]), {
          description:
            'the toxic’s, as Toxiproxy’s: latency, jitter, rate, delay, timeout, bytes; http_error’s status and body, postgres_error’s code and message',
        }),
      ),
      stream: Type.Optional(literalsOf([...STREAMS], 'upstream (to the callee) or downstream (back; the default)')),
      toxicity: Type.Optional(
        Type.Number({ minimum: 0, maximum: 1, description: 'the chance it strikes a connection' }),
      ),
      ttl_s: TTL_SECONDS,
    },
    { additionalProperties: false },
  ),
  response: { 200: NetworkChange, 400: errorResponse(400), 503: errorResponse(503), ...token?.denied },
})

export const removeToxicSchema = (edges: readonly string[], token: TokenSchema) => ({
  tags: ['chaos'],
  summary: 'Remove a network fault from one of this service’s edges',
  ...tokenParts(token),
  params: Type.Object({ ...EdgeParams(edges).properties, toxic: Type.String({ minLength: 1, maxLength: 100 }) }),
  response: { 200: NetworkChange, 404: errorResponse(404), 503: errorResponse(503), ...token?.denied },
})

export const setEdgeSchema = (edges: readonly string[], token: TokenSchema) => ({
  tags: ['chaos'],
  summary: 'Take one of this service’s edges down, or bring it up',
  ...tokenParts(token),
  params: EdgeParams(edges),
  body: Type.Object(
    { enabled: Type.Boolean({ description: 'false: down' }), ttl_s: TTL_SECONDS },
    { additionalProperties: false },
  ),
  response: { 200: NetworkChange, 400: errorResponse(400), 503: errorResponse(503), ...token?.denied },
})
