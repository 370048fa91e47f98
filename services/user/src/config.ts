import { loadServiceConfig, SERVICE_PORTS, serviceEnv, weakSecretProblem } from '@food/config'
import { type Static, Type } from '@sinclair/typebox'

// Dev-only value so `npm start` works out of the box; refused when NODE_ENV=production.
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-do-not-use-in-production'

export const UserConfigSchema = Type.Object({
  ...serviceEnv({ port: SERVICE_PORTS.user, redisKeyPrefix: 'user:' }),
  JWT_SECRET: Type.String({ minLength: 32, default: DEV_JWT_SECRET }),
  JWT_EXPIRES_IN_S: Type.Integer({ default: 3600, minimum: 60, maximum: 7 * 86_400 }),
  PROFILE_CACHE_TTL_S: Type.Integer({ default: 60, minimum: 1, maximum: 86_400 }),
  /** Failed logins an account may have in a window before every login to it waits for the window's end. */
  LOGIN_MAX_FAILURES: Type.Integer({ default: 10, minimum: 1, maximum: 1_000_000 }),
  /** The same per client address (across accounts). */
  LOGIN_MAX_FAILURES_PER_ADDRESS: Type.Integer({ default: 100, minimum: 1, maximum: 1_000_000 }),
  LOGIN_FAILURE_WINDOW_S: Type.Integer({ default: 900, minimum: 1, maximum: 86_400 }),
  /** Password hashes (scrypt) computed at once, and how many more may wait before 503 AUTH_BUSY. */
  PASSWORD_HASH_CONCURRENCY: Type.Integer({ default: 4, minimum: 1, maximum: 64 }),
  PASSWORD_HASH_QUEUE: Type.Integer({ default: 256, minimum: 0, maximum: 100_000 }),
})

export type UserConfig = Static<typeof UserConfigSchema>

export function loadUserConfig(env: NodeJS.ProcessEnv = process.env): UserConfig {
  return loadServiceConfig(UserConfigSchema, env, (config) => {
    if (config.NODE_ENV !== 'production') return []
    if (config.JWT_SECRET === DEV_JWT_SECRET) {
      return ['JWT_SECRET must be set in production: the built-in value is for development only']
    }
    const weak = weakSecretProblem('JWT_SECRET', config.JWT_SECRET)
    return weak ? [weak] : []
  })
}
