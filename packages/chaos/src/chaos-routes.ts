import { unauthorized } from '@food/errors'
import { secretGuard } from '@food/service-auth'
import type { FastifyPluginAsync } from 'fastify'
import {
  clearChaosSchema,
  clearRunSchema,
  removeToxicSchema,
  setEdgeSchema,
  setToxicSchema,
  showChaosSchema,
  showRunSchema,
  switchFaultSchema,
  TOKEN_HEADER,
  tokenSchema,
} from './chaos-routes.schema.ts'
import type { ExperimentRun } from './experiment-run.ts'
import type { ExperimentRunBoard } from './experiment-run-board.ts'
import type { FaultDefinition } from './fault-definition.ts'
import { toFaultState } from './fault-state.ts'
import type { FaultStore } from './fault-store.ts'
import type { FaultSwitchboard } from './fault-switchboard.ts'
import type { NetworkFaults, ToxicRequest } from './network-faults.ts'

export interface ChaosRoutesOptions {
  definitions: FaultDefinition[]
  store: FaultStore
  switchboard: FaultSwitchboard
  experiment: Record<string, string | number | boolean>
  runs: ExperimentRunBoard
  /** When set, changing a fault needs it in the X-Chaos-Token header (reading them does not). */
  token?: string | undefined
  /** The service's edges through the fault proxy, when it has one. */
  network?: NetworkFaults | undefined
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
      unauthorized(
        'CHAOS_TOKEN_INVALID',
        `Changing a fault needs the ${TOKEN_HEADER} header: the service's CHAOS_TOKEN`,
      ),
  )

/** What a switch's field takes, in words: `an integer from 0 to 90`, `true or false`. */
function validValues(definition: FaultDefinition): string {
  const schema = definition.schema
  if (schema.type === 'boolean') return 'true or false (false switches it off)'
  return `an integer from ${schema.minimum ?? 0} to ${schema.maximum ?? 'any'} (0 switches it off)`
}

interface ValidationIssue {
  instancePath: string
  keyword: string
  message?: string
  params?: Record<string, unknown>
}

/**
 * A body that failed the switch's schema, still a 400 VALIDATION_ERROR with its details, whose
 * message names the value given and the valid ones when the value is the problem
 * (`body/busy_percent must be an integer from 0 to 90 (0 switches it off), not 95`), and is
 * Fastify's own otherwise (an unknown field, a bad ttl_s).
 */
function explainInvalidValue(
  definition: FaultDefinition,
  error: Error & { validation: ValidationIssue[] },
  body: unknown,
): Error {
  const { field } = definition
  const aboutValue = (issue: ValidationIssue) =>
    issue.instancePath === `/${field}` || (issue.keyword === 'required' && issue.params?.missingProperty === field)
  if (!error.validation.some(aboutValue)) return error
  const given = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined
  const valueMessage = `body/${field} must be ${validValues(definition)}, ${given === undefined ? 'and is missing' : `not ${JSON.stringify(given)}`}`
  const others = error.validation.filter((issue) => !aboutValue(issue)).map((i) => `body${i.instancePath} ${i.message}`)
  error.message = [valueMessage, ...others].join(', ')
  return error
}

/** GET /chaos (what is in force), DELETE /chaos (clear all), POST /chaos/<fault> per fault. */
export const chaosRoutes: FastifyPluginAsync<ChaosRoutesOptions> = async (app, options) => {
  const { definitions, store, switchboard } = options
  const token = options.token ? tokenSchema : undefined
  const preHandler = options.token ? requireToken(options.token) : []

  const { network } = options
  /** The network part of the view: the edges, or why they could not be read. */
  const networkView = async () => {
    if (!network) return null
    try {
      return { edges: await network.view() }
    } catch (error) {
      return { error: (error as Error).message }
    }
  }

  app.get('/chaos', { schema: showChaosSchema }, async () => ({
    enabled: true,
    faults: Object.fromEntries(store.entries().map(([name, fault]) => [name, toFaultState(fault)])),
    available: definitions.map(({ name, route, field }) => ({ name, route: `/chaos/${route}`, field })),
    experiment: options.experiment,
    run: options.runs.current,
    network: await networkView(),
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
    if (network) {
      const edges = await network.clear()
      for (const fault of edges) switchboard.recordElsewhere(fault, 'clear')
      cleared.push(...edges)
    }
    return { message: cleared.length > 0 ? 'All faults cleared' : 'No fault was active', cleared }
  })

  for (const definition of definitions) {
    app.post<{ Body: Record<string, number | boolean | undefined> }>(
      `/chaos/${definition.route}`,
      // The handler answers a body that fails its schema, naming the bad value and the valid ones.
      { preHandler, schema: switchFaultSchema(definition, token), attachValidation: true },
      async (request) => {
        if (request.validationError) throw explainInvalidValue(definition, request.validationError, request.body)
        const value = request.body[definition.field] as number | boolean
        const ttlSeconds = request.body.ttl_s as number | undefined
        const seed = (request.body.seed as number | undefined) ?? null
        if (value === 0 || value === false) {
          await switchboard.clear(definition.name)
          return { message: `${definition.name} fault cleared`, fault: definition.name, value, expires_at: null }
        }
        const fault = await switchboard.set(definition.name, value, ttlSeconds, seed)
        return {
          message: `${definition.name} fault set: ${definition.field}=${String(value)}${ttlSeconds ? ` for ${ttlSeconds} s` : ''}${seed === null ? '' : `, seed ${seed}`}`,
          fault: definition.name,
          value,
          expires_at: fault.expiresAt?.toISOString() ?? null,
        }
      },
    )
  }

  if (!network) return
  const edges = network.edges
  app.post<{ Params: { edge: string }; Body: ToxicRequest }>(
    '/chaos/network/:edge/toxics',
    { preHandler, schema: setToxicSchema(edges, token) },
    async (request) => {
      const { edge } = request.params
      const name = await network.setToxic(edge, request.body)
      switchboard.recordElsewhere(`${edge}/${request.body.type}`, 'set', { edge, toxic: request.body })
      return { message: `${name} set on ${edge}`, edge, fault: name }
    },
  )
  app.delete<{ Params: { edge: string; toxic: string } }>(
    '/chaos/network/:edge/toxics/:toxic',
    { preHandler, schema: removeToxicSchema(edges, token) },
    async (request) => {
      const { edge, toxic } = request.params
      const type = await network.removeToxic(edge, toxic)
      switchboard.recordElsewhere(`${edge}/${type}`, 'clear', { edge, toxic })
      return { message: `${toxic} removed from ${edge}`, edge, fault: toxic }
    },
  )
  app.post<{ Params: { edge: string }; Body: { enabled: boolean; ttl_s?: number } }>(
    '/chaos/network/:edge',
    { preHandler, schema: setEdgeSchema(edges, token) },
    async (request) => {
      const { edge } = request.params
      const { enabled, ttl_s } = request.body
      await network.setEnabled(edge, enabled, ttl_s)
      switchboard.recordElsewhere(`${edge}/down`, enabled ? 'clear' : 'set', { edge, ttl_s })
      return { message: enabled ? `${edge} up` : `${edge} down${ttl_s ? ` for ${ttl_s} s` : ''}`, edge, fault: 'down' }
    },
  )
}
