import { createDatabaseFromTemplate, listenOnFreePort, uniqueRedisPrefix } from '@food/testing'
import { expect, inject } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { loadUserConfig } from '../../src/config.ts'

export type TestUserService = Awaited<ReturnType<typeof startUserService>>

/**
 * The real user service on a free port, with its own database (copied from the migrated
 * template) and its own Redis key prefix. `env` overrides variables as a deployment would.
 */
export async function startUserService(env: Record<string, string> = {}) {
  const database = await createDatabaseFromTemplate(inject('postgresUrl'), inject('templateDatabase'))
  const config = loadUserConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: uniqueRedisPrefix('user'),
    ...env,
  })
  const app = await buildApp(config)
  const baseUrl = await listenOnFreePort(app)

  const call = async (
    method: string,
    path: string,
    init: { json?: unknown; headers?: Record<string, string>; body?: string } = {},
  ) => {
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

  let counter = 0
  /** Signs up a user with a unique name and logs in; returns its id and token. */
  const createUser = async (password = 'correct-horse') => {
    const username = `u${Date.now().toString(36)}${(counter++).toString(36)}`
    const signup = await call('POST', '/signup', { json: { username, password } })
    if (signup.status !== 201) throw new Error(`signup failed: ${JSON.stringify(signup.body)}`)
    const login = await call('POST', '/login', { json: { username, password } })
    return { id: signup.body.id as number, username, password, token: login.body.access_token as string }
  }

  return {
    app,
    baseUrl,
    config,
    databaseUrl: database.url,
    call,
    createUser,
    close: async () => {
      await app.close()
      await database.drop()
    },
  }
}

/** The fleet-wide error body, for `toEqual`/`toMatchObject`. */
export const errorBody = (code: string) => ({ error: expect.objectContaining({ code, message: expect.any(String) }) })
