import type { FastifyInstance } from 'fastify'
import { expect, inject } from 'vitest'
import { createDatabaseFromTemplate, uniqueRedisPrefix } from './databases.ts'
import { listenOnFreePort } from './http-server.ts'

export interface TestServiceOptions<Config, App extends FastifyInstance> {
  /** Service name: names its Redis key prefix and its template database. */
  name: string
  loadConfig: (env: NodeJS.ProcessEnv) => Config
  buildApp: (config: Config) => Promise<App>
  /** Variables on top of the test defaults, as a deployment would set them. */
  env?: Record<string, string>
}

export interface CallOptions {
  json?: unknown
  headers?: Record<string, string>
  body?: string
}

export interface CallResult {
  status: number
  headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON the service sent
  body: any
}

/**
 * A real service on a free loopback port, with its own database (copied from the migrated
 * template) and its own Redis key prefix, spoken to over real HTTP.
 */
export async function startTestService<Config, App extends FastifyInstance>(options: TestServiceOptions<Config, App>) {
  const template = inject('templates')[options.name]
  if (!template) throw new Error(`no template database for ${options.name}: add it to the project's globalSetup`)
  const database = await createDatabaseFromTemplate(inject('postgresUrl'), template)
  const config = options.loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: uniqueRedisPrefix(options.name),
    ...options.env,
  })
  const app = await options.buildApp(config)
  const baseUrl = await listenOnFreePort(app)

  const call = async (method: string, path: string, init: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...init.headers }
    let body = init.body
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(init.json)
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body })
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
  }

  return {
    app,
    baseUrl,
    config,
    databaseUrl: database.url,
    call,
    metrics: async () => (await fetch(`${baseUrl}/metrics`)).text(),
    close: async () => {
      await app.close()
      await database.drop()
    },
  }
}

/** The fleet-wide error body, for `toEqual` (`detail` repeats the message for the original's clients). */
export const errorBody = (code: string) => ({
  error: expect.objectContaining({ code, message: expect.any(String) }),
  detail: expect.any(String),
})
