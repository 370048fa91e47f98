import { errorResponse } from '@food/errors'
import { Type } from '@sinclair/typebox'
import { ExperimentRun, ExperimentRunShown } from './experiment-run.ts'
import type { FaultDefinition } from './fault-definition.ts'

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

const FaultState = Type.Object({
  value: Type.Union([Type.Integer(), Type.Boolean()]),
  set_at: Type.String({ format: 'date-time' }),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})

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

const TTL_SECONDS = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 86_400, description: 'Clears the fault after this many seconds' }),
)

export const switchFaultSchema = (definition: FaultDefinition, token: TokenSchema) => ({
  tags: ['chaos'],
  summary: definition.summary,
  description: definition.description,
  ...tokenParts(token),
  body: Type.Object({ [definition.field]: definition.schema, ttl_s: TTL_SECONDS }, { additionalProperties: false }),
  response: { 200: FaultChange, 400: errorResponse(400), ...token?.denied },
})
