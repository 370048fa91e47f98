import { Type } from '@sinclair/typebox'

export interface ServiceEnvDefaults {
  /** Port the service listens on unless PORT is set. */
  port: number
  /** Prefix of every Redis key the service writes, so services can share one Redis. */
  redisKeyPrefix: string
}

/** Environment variables every fleet service reads; services spread these into their own schema. */
export function serviceEnv(defaults: ServiceEnvDefaults) {
  return {
    NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
      default: 'development',
    }),
    HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
    PORT: Type.Integer({ default: defaults.port, minimum: 0, maximum: 65535 }),
    LOG_LEVEL: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
      { default: 'info' },
    ),
    LOG_FORMAT: Type.Union([Type.Literal('json'), Type.Literal('pretty')], { default: 'json' }),
    /** Also write JSON logs to this file, e.g. in the volume Promtail reads. */
    LOG_FILE: Type.Optional(Type.String({ minLength: 1 })),
    DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
    DATABASE_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
    REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', pattern: '^rediss?://' }),
    REDIS_KEY_PREFIX: Type.String({ default: defaults.redisKeyPrefix }),
    REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ default: 250, minimum: 10, maximum: 10_000 }),
    /** Unset means: on, except when NODE_ENV is production (see chaosEnabled). */
    CHAOS_ENABLED: Type.Optional(Type.Boolean()),
  }
}

/** Chaos routes are a testbed feature: on by default, off by default in production. */
export function chaosEnabled(config: { NODE_ENV: string; CHAOS_ENABLED?: boolean | undefined }): boolean {
  return config.CHAOS_ENABLED ?? config.NODE_ENV !== 'production'
}
