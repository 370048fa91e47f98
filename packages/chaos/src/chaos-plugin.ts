import { setTimeout as sleep } from 'node:timers/promises'
// Route schemas carry OpenAPI annotations (tags, hide) that @fastify/swagger declares.
import type {} from '@fastify/swagger'
import { AppError, errorResponse } from '@food/errors'
import type {} from '@food/metrics'
import type {} from '@food/redis'
import { secretGuard } from '@food/service-auth'
import { addSpanEvent } from '@food/telemetry/spans'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'
import { delayFault, errorFault, type FaultDefinition } from './fault-definition.ts'
import { FaultStore } from './fault-store.ts'
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
  /** Source of randomness for the 50% error fault and the percentage faults. */
  random?: () => number
  /** When set, changing a fault needs it in the X-Chaos-Token header (reading them does not). */
  token?: string | undefined
}

const TOKEN_HEADER = 'x-chaos-token'

/** preHandler of the chaos changes: the caller must show the token. */
const requireToken = (token: string) =>
  secretGuard(
    token,
    (request) => {
      const given = request.headers[TOKEN_HEADER]
      return typeof given === 'string' ? given : undefined
    },
    () =>
      new AppError(
        401,
        'CHAOS_TOKEN_INVALID',
        `Changing a fault needs the ${TOKEN_HEADER} header: the service's CHAOS_TOKEN`,
      ),
  )

// Faults must never hide the instruments used to observe them, nor the switch that clears them.
const EXEMPT_PREFIXES = ['/health', '/metrics', '/chaos', '/docs', '/redoc', '/openapi.json']
const isExempt = (url: string) => EXEMPT_PREFIXES.some((prefix) => url.startsWith(prefix))

const TTL_SECONDS = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 86_400, description: 'Clears the fault after this many seconds' }),
)

const FaultChange = Type.Object({
  message: Type.String(),
  fault: Type.String(),
  value: Type.Union([Type.Integer(), Type.Boolean()]),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})

const chaos: FastifyPluginAsync<ChaosPluginOptions> = async (app, options) => {
  const definitions = [delayFault, errorFault, ...(options.faults ?? [])]
  const random = options.random ?? Math.random
  const registers = [app.metrics.registry]

  const changes = new Counter({
    name: 'chaos_fault_changes_total',
    help: 'Chaos fault switches, by fault and action (set, clear, expire)',
    labelNames: ['fault', 'action'],
    registers,
  })
  const injections = new Counter({
    name: 'chaos_injections_total',
    help: 'Requests or operations a chaos fault acted on, by fault',
    labelNames: ['fault'],
    registers,
  })
  const store = new FaultStore((name) => {
    changes.inc({ fault: name, action: 'expire' })
    app.log.warn({ fault: name }, 'chaos fault expired')
  })
  new Gauge({
    name: 'chaos_fault_value',
    help: 'Current strength of each chaos fault (0 = off; ms, percent or 1 for on)',
    labelNames: ['fault'],
    registers,
    collect() {
      for (const definition of definitions) this.set({ fault: definition.name }, store.current(definition.name))
    },
  })

  // Counted for the chaos dashboard, and marked on the trace of the request it struck.
  const recordInjection = (name: string) => {
    injections.inc({ fault: name })
    addSpanEvent('chaos.injected', { 'chaos.fault': name, 'chaos.value': store.current(name) })
  }
  // Every fault that acts is recorded first: fault on → record the injection → act.
  const current = (name: string) => (options.enabled ? store.current(name) : 0)
  const strikes = (name: string) => {
    const struck = random() * 100 < current(name)
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
  app.addHook('onClose', async () => {
    store.clear()
  })

  if (!options.enabled) return
  const guard = options.token
    ? {
        preHandler: requireToken(options.token),
        headers: Type.Object({
          [TOKEN_HEADER]: Type.Optional(Type.String({ description: "The service's CHAOS_TOKEN" })),
        }),
        denied: { 401: errorResponse(401, 'CHAOS_TOKEN_INVALID') },
      }
    : { preHandler: [], headers: undefined, denied: {} }
  const shared = new SharedFaults(app.redis, store, app.log)
  await shared.start()
  app.addHook('onClose', async () => shared.stop())

  app.addHook('onRequest', async (request) => {
    if (isExempt(request.url)) return
    await hold(delayFault.name)
    if (current(errorFault.name) > 0 && random() < 0.5) {
      recordInjection(errorFault.name)
      throw new AppError(500, 'CHAOS_INJECTED_ERROR', 'Error injected by chaos (POST /chaos/error)')
    }
  })

  app.get(
    '/chaos',
    {
      schema: {
        tags: ['chaos'],
        summary: 'Show the faults in force and the experiment settings',
        response: {
          200: Type.Object({
            enabled: Type.Boolean(),
            faults: Type.Record(
              Type.String(),
              Type.Object({
                value: Type.Union([Type.Integer(), Type.Boolean()]),
                set_at: Type.String({ format: 'date-time' }),
                expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
              }),
            ),
            available: Type.Array(Type.Object({ name: Type.String(), route: Type.String(), field: Type.String() })),
            experiment: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
          }),
        },
      },
    },
    async () => ({
      enabled: true,
      faults: Object.fromEntries(
        store.entries().map(([name, fault]) => [
          name,
          {
            value: fault.value,
            set_at: fault.setAt.toISOString(),
            expires_at: fault.expiresAt?.toISOString() ?? null,
          },
        ]),
      ),
      available: definitions.map(({ name, route, field }) => ({ name, route: `/chaos/${route}`, field })),
      experiment: options.experiment ?? {},
    }),
  )

  app.delete(
    '/chaos',
    {
      preHandler: guard.preHandler,
      schema: {
        tags: ['chaos'],
        summary: 'Clear every fault',
        ...(guard.headers ? { headers: guard.headers } : {}),
        response: { 200: Type.Object({ message: Type.String(), cleared: Type.Array(Type.String()) }), ...guard.denied },
      },
    },
    async (request) => {
      const cleared = store.clear()
      await shared.clear()
      for (const fault of cleared) changes.inc({ fault, action: 'clear' })
      request.log.warn({ cleared }, 'chaos faults cleared')
      return { message: cleared.length > 0 ? 'All faults cleared' : 'No fault was active', cleared }
    },
  )

  for (const definition of definitions) {
    app.post<{ Body: Record<string, number | boolean | undefined> }>(
      `/chaos/${definition.route}`,
      {
        preHandler: guard.preHandler,
        schema: {
          tags: ['chaos'],
          summary: definition.summary,
          description: definition.description,
          ...(guard.headers ? { headers: guard.headers } : {}),
          body: Type.Object(
            { [definition.field]: definition.schema, ttl_s: TTL_SECONDS },
            { additionalProperties: false },
          ),
          response: { 200: FaultChange, 400: errorResponse(400), ...guard.denied },
        },
      },
      async (request) => {
        const value = request.body[definition.field] as number | boolean
        const ttlSeconds = request.body.ttl_s as number | undefined
        if (value === 0 || value === false) {
          store.clear(definition.name)
          await shared.clear([definition.name])
          changes.inc({ fault: definition.name, action: 'clear' })
          request.log.warn({ fault: definition.name }, 'chaos fault cleared')
          return { message: `${definition.name} fault cleared`, fault: definition.name, value, expires_at: null }
        }
        const fault = store.set(definition.name, value, ttlSeconds)
        await shared.set(definition.name, fault)
        changes.inc({ fault: definition.name, action: 'set' })
        request.log.warn({ fault: definition.name, value, ttl_s: ttlSeconds }, 'chaos fault set')
        return {
          message: `${definition.name} fault set: ${definition.field}=${String(value)}${ttlSeconds ? ` for ${ttlSeconds} s` : ''}`,
          fault: definition.name,
          value,
          expires_at: fault.expiresAt?.toISOString() ?? null,
        }
      },
    )
  }
}

export const chaosPlugin = fp(chaos, {
  name: '@food/chaos',
  fastify: '5.x',
  dependencies: ['@food/metrics', '@food/redis'],
})
