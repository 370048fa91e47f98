import type {} from '@fastify/swagger'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

export type ReadinessCheck = () => Promise<unknown>

declare module 'fastify' {
  interface FastifyInstance {
    health: {
      /** Adds a dependency that must answer for the service to be ready (PostgreSQL, Redis…). */
      addCheck(name: string, check: ReadinessCheck): void
    }
  }
}

export interface HealthPluginOptions {
  /** A check slower than this counts as failed: a hung dependency must not hang the probe. */
  checkTimeoutMs?: number
}

const HealthReport = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
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
  const checks = new Map<string, ReadinessCheck>()
  app.decorate('health', { addCheck: (name: string, check: ReadinessCheck) => checks.set(name, check) })

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
        summary: 'Readiness: every dependency (PostgreSQL, Redis) answers',
        response: { 200: HealthReport, 503: HealthReport },
      },
    },
    async (_request, reply) => {
      const names = [...checks.keys()]
      const results = await Promise.all([...checks.values()].map((check) => runCheck(check, checkTimeoutMs)))
      const report = Object.fromEntries(names.map((name, i) => [name, results[i] ?? 'error']))
      const ready = results.every((result) => result === 'ok')
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks: report })
    },
  )
}

export const healthPlugin = fp(health, { name: '@food/health', fastify: '5.x' })
