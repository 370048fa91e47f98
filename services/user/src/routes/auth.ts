import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { badRequest, tooManyRequests, unauthorized } from '@food/errors'
import { isRowId } from '@food/postgres'
import type { Gate } from '@food/service-kit'
import type { FastifyRequest } from 'fastify'
import type { LoginAttempts } from '../cache/login-attempts.ts'
import type { ProfileCache } from '../cache/profile-cache.ts'
import { DuplicateUserError, type UserRepository } from '../db/user-repository.ts'
import { decideLogin } from '../domain/login-throttle.ts'
import { dummyPasswordHash, hashPassword, verifyPassword } from '../domain/password.ts'
import { normaliseEmail, toAccountView } from '../domain/user.ts'
import { loginSchema, signupSchema, validateSchema } from './auth.schema.ts'
import { formFields, mislabelledFormBoundary } from './login-form.ts'

export interface AuthRoutesOptions {
  users: UserRepository
  profiles: ProfileCache
  attempts: LoginAttempts
  /** Where password hashes wait their turn. */
  hashes: Gate
  tokenLifetimeSeconds: number
}

const INVALID_CREDENTIALS = unauthorized('INVALID_CREDENTIALS', 'Invalid username or password')

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (
  app,
  { users, profiles, attempts, hashes, tokenLifetimeSeconds },
) => {
  app.post('/signup', { schema: signupSchema }, async (request, reply) => {
    const { username, password, email } = request.body
    try {
      const user = await users.create({
        username,
        email: normaliseEmail(email),
        passwordHash: await hashes.run(() => hashPassword(password)),
      })
      return reply.code(201).send(toAccountView(user))
    } catch (error) {
      // 400 with the original's words: its load scripts go on after a signup answered 201 or 400.
      if (error instanceof DuplicateUserError) {
        throw error.field === 'email'
          ? badRequest('EMAIL_TAKEN', 'Email already registered')
          : badRequest('USERNAME_TAKEN', 'Username already registered')
      }
      throw error
    }
  })

  // The login's own context: it also reads multipart/form-data (the original's web front end).
  await app.register(async (context) => {
    const login = context.withTypeProvider<TypeBoxTypeProvider>()
    login.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer) =>
      formFields(body, request.headers['content-type'] ?? ''),
    )
    const parseJson = login.getDefaultJsonParser('error', 'error')
    login.removeContentTypeParser('application/json')
    login.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const boundary = mislabelledFormBoundary(body as string)
      if (boundary === undefined) return parseJson(request, body as string, done)
      formFields(Buffer.from(body as string), `multipart/form-data; boundary=${boundary}`).then(
        (fields) => done(null, fields),
        (error: Error) => done(error, undefined),
      )
    })
    login.post('/login', { schema: loginSchema }, async (request, reply) => {
      const { username, password } = request.body
      const decision = decideLogin(await attempts.counts(username, request.ip), attempts.limits)
      if (!decision.allowed) {
        reply.header('retry-after', String(decision.retryAfterSeconds))
        throw tooManyRequests('TOO_MANY_ATTEMPTS', 'Too many failed logins; try again later', {
          retry_after_s: decision.retryAfterSeconds,
        })
      }
      const user = await users.findByUsername(username)
      const stored = user?.passwordHash ?? (await dummyPasswordHash)
      const passwordMatches = await hashes.run(() => verifyPassword(password, stored))
      if (!user || !passwordMatches) {
        await attempts.failed(username, request.ip)
        throw INVALID_CREDENTIALS
      }
      await attempts.succeeded(username)
      const accessToken = await app.jwt.sign({ sub: String(user.id), username: user.username })
      return { access_token: accessToken, token_type: 'bearer' as const, expires_in: tokenLifetimeSeconds }
    })
  })

  app.post('/validate', { schema: validateSchema, preHandler: app.authenticate }, async (request) => {
    if (request.query.delay) await sleep(request.query.delay)
    const userId = Number(request.user.sub)
    const profile = isRowId(userId) ? await profiles.get(userId) : undefined
    if (!profile) throw unauthorized('USER_NOT_FOUND', 'The token is valid but its user no longer exists')
    return { valid: true as const, user_id: profile.value.id, username: profile.value.username }
  })
}
