import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { conflict, unauthorized } from '@food/errors'
import { isRowId } from '@food/postgres'
import type { ProfileCache } from '../cache/profile-cache.ts'
import { DuplicateUserError, type UserRepository } from '../db/user-repository.ts'
import { dummyPasswordHash, hashPassword, verifyPassword } from '../domain/password.ts'
import { normaliseEmail, toAccountView } from '../domain/user.ts'
import { loginSchema, signupSchema, validateSchema } from './auth.schema.ts'

export interface AuthRoutesOptions {
  users: UserRepository
  profiles: ProfileCache
  tokenLifetimeSeconds: number
}

const INVALID_CREDENTIALS = unauthorized('INVALID_CREDENTIALS', 'Invalid username or password')

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (
  app,
  { users, profiles, tokenLifetimeSeconds },
) => {
  app.post('/signup', { schema: signupSchema }, async (request, reply) => {
    const { username, password, email } = request.body
    try {
      const user = await users.create({
        username,
        email: normaliseEmail(email),
        passwordHash: await hashPassword(password),
      })
      return reply.code(201).send(toAccountView(user))
    } catch (error) {
      if (error instanceof DuplicateUserError) {
        throw conflict(
          error.field === 'email' ? 'EMAIL_TAKEN' : 'USERNAME_TAKEN',
          `This ${error.field} is already registered`,
        )
      }
      throw error
    }
  })

  app.post('/login', { schema: loginSchema }, async (request) => {
    const { username, password } = request.body
    const user = await users.findByUsername(username)
    const passwordMatches = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash))
    if (!user || !passwordMatches) throw INVALID_CREDENTIALS
    const accessToken = await app.jwt.sign({ sub: String(user.id), username: user.username })
    return { access_token: accessToken, token_type: 'bearer' as const, expires_in: tokenLifetimeSeconds }
  })

  app.post('/validate', { schema: validateSchema, preHandler: app.authenticate }, async (request) => {
    if (request.query.delay) await sleep(request.query.delay)
    const userId = Number(request.user.sub)
    const profile = isRowId(userId) ? await profiles.get(userId) : undefined
    if (!profile) throw unauthorized('USER_NOT_FOUND', 'The token is valid but its user no longer exists')
    return { valid: true as const, user_id: profile.value.id, username: profile.value.username }
  })
}
