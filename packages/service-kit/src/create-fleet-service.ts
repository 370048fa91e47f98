import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { type ChaosPluginOptions, chaosPlugin } from '@food/chaos'
import { chaosEnabled } from '@food/config'
import { type DocsPluginOptions, docsPlugin } from '@food/docs'
import { answerClientError, answerFrameworkError, badRequest, errorHandlerPlugin } from '@food/errors'
import { healthPlugin } from '@food/health'
import { createLogger } from '@food/logger'
import { metricsPlugin } from '@food/metrics'
import { postgresPlugin } from '@food/postgres'
import { redisPlugin } from '@food/redis'
import { activeTraceId } from '@food/telemetry/spans'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RawServerDefault } from 'fastify'
import type { BaseServiceConfig } from './base-service-config.ts'
import { isChaosPath, registerCors } from './cors-policy.ts'
import { drainPlugin } from './drain-plugin.ts'
import { nulCharacterPath } from './nul-character.ts'
import { enforceRequestDeadlines, serverDeadlines } from './request-deadlines.ts'
import { guardRequests } from './request-guard.ts'
import { requestIdOf } from './request-id.ts'
import { strictBodyValidation } from './validator-compiler.ts'

export type FleetInstance = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

export interface FleetServiceOptions {
  /** Short name: `user`, `restaurant`, `order`; the logs' and metrics' `service` label. */
  name: string
  config: BaseServiceConfig
  docs: DocsPluginOptions
  chaos?: Omit<ChaosPluginOptions, 'enabled'>
}

// Tags of the routes every service gets from the platform, listed after the service's own.
const PLATFORM_TAGS = [
  { name: 'chaos', description: 'Fault injection for experiments' },
  { name: 'health', description: 'Probes' },
]

// Routes polled by probes and scrapers: logged at debug so they do not bury real traffic.
const QUIET_PREFIXES = ['/health', '/metrics']

/**
 * Builds a fleet service with the shared platform in a fixed order: drain, error shape, CORS, metrics,
 * API docs (before any documented route, which it only sees once registered), health,
 * PostgreSQL, Redis, chaos. The service then registers its own routes (and, if it calls other
 * services, `@food/http-client`: undici is a fifth of a service's modules, kept out of those that
 * call nobody).
 */
export async function createFleetService(options: FleetServiceOptions): Promise<FleetInstance> {
  const { config } = options
  const logger: FastifyBaseLogger = createLogger({
    service: options.name,
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    file: config.LOG_FILE,
    fileBounds: { maxBytes: config.LOG_FILE_MAX_BYTES, keep: config.LOG_FILE_KEEP },
  })
  const app = Fastify({
    loggerInstance: logger,
    // The caller's X-Request-Id goes through requestIdOf, which checks it, not straight in.
    requestIdHeader: false,
    genReqId: requestIdOf,
    // One 'request completed' line per request (below) instead of Fastify's two.
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // Slow or stalled clients are cut off (408) instead of holding a connection for ever.
    ...serverDeadlines(config),
    // Safe because the drain plugin has let every running handler finish by then.
    forceCloseConnections: true,
    schemaController: strictBodyValidation,
    // Requests Node cannot parse (431, 408, 400) and URLs that cannot be decoded are answered in
    // the fleet's error shape too, instead of Fastify's.
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>()

  enforceRequestDeadlines(app, config)
  // No web page drives a service: a rebound Host is refused, and another site's chaos changes.
  guardRequests(app, { allowedHosts: config.ALLOWED_HOSTS, originChecked: isChaosPath })

  // Fleet APIs speak JSON (and the user service a login form); text bodies are a client mistake.
  app.removeContentTypeParser('text/plain')
  // A route that takes no body accepts an empty one sent as JSON (the original's load scripts
  // cancel with `Content-Type: application/json` and nothing after it); elsewhere, as before.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && !request.routeOptions.schema?.body) return done(null, undefined)
    parseJson(request, body as string, done)
  })
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
    // The id to paste into Grafana (Tempo) to see this request's trace.
    const traceId = activeTraceId()
    if (traceId) reply.header('x-trace-id', traceId)
  })
  app.addHook('preValidation', async (request) => {
    for (const [location, value] of Object.entries({
      body: request.body,
      querystring: request.query,
      params: request.params,
    })) {
      const path = nulCharacterPath(value)
      if (path === undefined) continue
      const message = 'must not contain the NUL character (U+0000)'
      throw badRequest('VALIDATION_ERROR', `${location} ${message}`, [{ location, path: path || '/', message }])
    }
  })
  app.addHook('onResponse', async (request, reply) => {
    const quiet = QUIET_PREFIXES.some((prefix) => request.url.startsWith(prefix))
    request.log[quiet ? 'debug' : 'info'](
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        url: request.url,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    )
  })

  await app.register(drainPlugin, { timeoutMs: 8000 })
  await app.register(errorHandlerPlugin)
  await registerCors(app)
  await app.register(metricsPlugin, { service: options.name })
  await app.register(docsPlugin, { ...options.docs, tags: [...options.docs.tags, ...PLATFORM_TAGS] })
  await app.register(healthPlugin)
  await app.register(postgresPlugin, {
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    poolTimeoutMs: config.DATABASE_POOL_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: config.DATABASE_LOCK_TIMEOUT_MS,
    applicationName: `${options.name}-service`,
  })
  await app.register(redisPlugin, {
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  })
  await app.register(chaosPlugin, {
    ...options.chaos,
    enabled: chaosEnabled(config),
    token: config.CHAOS_TOKEN,
    faultProxy: config.FAULT_PROXY_URL ? { url: config.FAULT_PROXY_URL, service: options.name } : undefined,
  })
  return app
}
