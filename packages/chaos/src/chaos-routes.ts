import { AppError } from '@food/errors'
import { secretGuard } from '@food/service-auth'
import type { FastifyPluginAsync } from 'fastify'
import {
  clearChaosSchema,
  clearRunSchema,
  showChaosSchema,
  showRunSchema,
  switchFaultSchema,
  TOKEN_HEADER,
  tokenSchema,
} from './chaos-routes.schema.ts'
import type { ExperimentRun, ExperimentRunBoard } from './experiment-run.ts'
import type { FaultDefinition } from './fault-definition.ts'
import type { FaultStore } from './fault-store.ts'
import type { FaultSwitchboard } from './fault-switchboard.ts'

export interface ChaosRoutesOptions {
  definitions: FaultDefinition[]
  store: FaultStore
  switchboard: FaultSwitchboard
  experiment: Record<string, string | number | boolean>
  runs: ExperimentRunBoard
  /** When set, changing a fault needs it in the X-Chaos-Token header (reading them does not). */
  token?: string | undefined
}

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

/** GET /chaos (what is in force), DELETE /chaos (clear all), POST /chaos/<fault> per fault. */
export const chaosRoutes: FastifyPluginAsync<ChaosRoutesOptions> = async (app, options) => {
  const { definitions, store, switchboard } = options
  const token = options.token ? tokenSchema : undefined
  const preHandler = options.token ? requireToken(options.token) : []

  app.get('/chaos', { schema: showChaosSchema }, async () => ({
    enabled: true,
    faults: Object.fromEntries(
      store
        .entries()
        .map(([name, fault]) => [
          name,
          { value: fault.value, set_at: fault.setAt.toISOString(), expires_at: fault.expiresAt?.toISOString() ?? null },
        ]),
    ),
    available: definitions.map(({ name, route, field }) => ({ name, route: `/chaos/${route}`, field })),
    experiment: options.experiment,
    run: options.runs.current,
  }))

  app.put<{ Body: { run: ExperimentRun; ttl_s: number } }>(
    '/chaos/run',
    { preHandler, schema: showRunSchema(token) },
    async (request) => {
      options.runs.show(request.body.run, request.body.ttl_s)
      return { message: `experiment in progress: ${request.body.run.title}` }
    },
  )

  app.delete('/chaos/run', { preHandler, schema: clearRunSchema(token) }, async () => ({
    message: options.runs.clear() ? 'experiment no longer shown' : 'no experiment was shown',
  }))

  app.delete('/chaos', { preHandler, schema: clearChaosSchema(token) }, async () => {
    const cleared = await switchboard.clear()
    return { message: cleared.length > 0 ? 'All faults cleared' : 'No fault was active', cleared }
  })

  for (const definition of definitions) {
    app.post<{ Body: Record<string, number | boolean | undefined> }>(
      `/chaos/${definition.route}`,
      { preHandler, schema: switchFaultSchema(definition, token) },
      async (request) => {
        const value = request.body[definition.field] as number | boolean
        const ttlSeconds = request.body.ttl_s as number | undefined
        if (value === 0 || value === false) {
          await switchboard.clear(definition.name)
          return { message: `${definition.name} fault cleared`, fault: definition.name, value, expires_at: null }
        }
        const fault = await switchboard.set(definition.name, value, ttlSeconds)
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
