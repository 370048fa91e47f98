import type {} from '@fastify/swagger'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

export type ReadinessCheck = () => Promise<unknown>

declare module 'fastify' {
  interface FastifyInstance {
    health: {
      /**
       * Adds a dependency to the readiness report. `required` (the default): the service is not
       * ready without it (PostgreSQL). Not required: the service works without it, slower (Redis,
       * a cache it falls back from), so its failure makes the report `degraded`, still 200: a
       * cache outage must not take every replica out of its load balancer at once.
       */
      addCheck(name: string, check: ReadinessCheck, options?: { required?: boolean }): void
    }
  }
}

export interface HealthPluginOptions {
  /** A check slower than this counts as failed: a hung dependency must not hang the probe. */
  checkTimeoutMs?: number
}

const HealthReport = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')]),
  checks: Type.Record(Type.String(), Type.String(), {
    examples: [{ postgres: 'ok', redis: 'ok' }],
  }),
})

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([check(), timeout])
    return 'ok'
  } catch (error) {
    return `error: ${(error as Error).message}`
  } finally {
    clearTimeout(timer)
  }
}

const health: FastifyPluginAsync<HealthPluginOptions> = async (app, options) => {
  const checkTimeoutMs = options.checkTimeoutMs ?? 1000
  const checks = new Map<string, { check: ReadinessCheck; required: boolean }>()
  app.decorate('health', {
    addCheck: (name: string, check: ReadinessCheck, { required = true } = {}) => checks.set(name, { check, required }),
  })

  app.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  // The original sample's probe, which its clients and compose files call.
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness in the original sample’s words',
        response: { 200: Type.Object({ status: Type.Literal('healthy') }) },
      },
    },
    async () => ({ status: 'healthy' as const }),
  )

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: every required dependency (PostgreSQL) answers; the others (Redis) only degrade it',
        response: { 200: HealthReport, 503: HealthReport },
      },
    },
    async (_request, reply) => {
      const entries = [...checks.entries()]
      const results = await Promise.all(entries.map(([, { check }]) => runCheck(check, checkTimeoutMs)))
      const report = Object.fromEntries(entries.map(([name], i) => [name, results[i] ?? 'error']))
      const failed = entries.filter((_, i) => results[i] !== 'ok')
      const ready = failed.every(([, { required }]) => !required)
      const status = !ready ? 'unavailable' : failed.length > 0 ? 'degraded' : 'ok'
      return reply.code(ready ? 200 : 503).send({ status, checks: report })
    },
  )
}

export const healthPlugin = fp(health, { name: '@food/health', fastify: '5.x' })
