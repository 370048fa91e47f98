import { startTestService } from '@food/testing'
import { buildApp } from '../../src/app.ts'
import { loadUserConfig } from '../../src/config.ts'

export { errorBody } from '@food/testing'

export type TestUserService = Awaited<ReturnType<typeof startUserService>>

/** The real user service on a free port, with its own database and Redis prefix. */
export async function startUserService(env: Record<string, string> = {}) {
  const service = await startTestService({ name: 'user', loadConfig: loadUserConfig, buildApp, env })

  let counter = 0
  /** Signs up a user with a unique name and logs in; returns its id and token. */
  const createUser = async (password = 'correct-horse') => {
    const username = `u${Date.now().toString(36)}${(counter++).toString(36)}`
    const signup = await service.call('POST', '/signup', { json: { username, password } })
    if (signup.status !== 201) throw new Error(`signup failed: ${JSON.stringify(signup.body)}`)
    const login = await service.call('POST', '/login', { json: { username, password } })
    return { id: signup.body.id as number, username, password, token: login.body.access_token as string }
  }

  return { ...service, createUser }
}
