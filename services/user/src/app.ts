import formBody from '@fastify/formbody'
import { serviceUnavailable } from '@food/errors'
import { createFleetService, type FleetInstance, Gate } from '@food/service-kit'
import { LoginAttempts } from './cache/login-attempts.ts'
import { ProfileCache } from './cache/profile-cache.ts'
import type { UserConfig } from './config.ts'
import { UserRepository } from './db/user-repository.ts'
import { jwtAuthPlugin } from './plugins/jwt-auth.ts'
import { authRoutes } from './routes/auth.ts'
import { userRoutes } from './routes/users.ts'

/** Builds the user service, ready to `listen` or `inject`; no port is opened here. */
export async function buildApp(config: UserConfig): Promise<FleetInstance> {
  const app = await createFleetService({
    name: 'user',
    config,
    docs: {
      title: 'User service',
      description: 'Accounts, login (JWT) and token validation for the food-delivery fleet.',
      version: '0.1.0',
      tags: [
        { name: 'auth', description: 'Signup, login and token validation' },
        { name: 'users', description: 'Public profiles' },
      ],
    },
  })

  const users = new UserRepository(app.pg)
  const profiles = new ProfileCache(
    app.createCache({ name: 'user_profile', ttlSeconds: config.PROFILE_CACHE_TTL_S }),
    users,
  )

  await app.register(formBody)
  await app.register(jwtAuthPlugin, { secret: config.JWT_SECRET, expiresInSeconds: config.JWT_EXPIRES_IN_S })
  const attempts = new LoginAttempts(
    app.redis,
    {
      perAccount: config.LOGIN_MAX_FAILURES,
      perAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_S,
    },
    app.log,
  )
  // scrypt runs on libuv's small thread pool: a login flood must not queue there without bound.
  const hashes = new Gate({
    running: config.PASSWORD_HASH_CONCURRENCY,
    waiting: config.PASSWORD_HASH_QUEUE,
    whenFull: () => serviceUnavailable('AUTH_BUSY', 'Too many logins and signups at once; try again in a moment'),
  })
  await app.register(authRoutes, { users, profiles, attempts, hashes, tokenLifetimeSeconds: config.JWT_EXPIRES_IN_S })
  await app.register(userRoutes, { profiles })
  return app
}
