import { type Static, type TObject, Type } from '@sinclair/typebox'
import { loadConfig } from './load-config.ts'
import { DEV_SERVICE_TOKEN, weakSecretProblem } from './secrets.ts'

export interface ServiceEnvDefaults {
  /** Port the service listens on unless PORT is set. */
  port: number
  /** Prefix of every Redis key the service writes, so services can share one Redis. */
  redisKeyPrefix: string
}

/** An http(s) URL, as every service-to-service address is written (one rule for the fleet). */
export const HttpUrl = (options: { default?: string; description?: string } = {}) =>
  Type.String({ pattern: '^https?://[^\\s/]+', ...options })

/**
 * ALLOWED_HOSTS: the host names, besides loopback and IP addresses, a control plane of the lab
 * answers (comma-separated; `.example.com` takes every name below it): DNS rebinding is refused.
 * The services and the web server read it; npm start's process API and the fault proxy too.
 */
export const AllowedHosts = () =>
  Type.String({ default: '', pattern: '^[A-Za-z0-9.,_ -]*$', description: 'e.g. user,restaurant,order' })

/** A PostgreSQL connection URL: DATABASE_URL's rule, for the services, `fleet-db` and the dev seeds. */
export const PostgresUrl = () => Type.String({ pattern: '^postgres(ql)?://' })

/**
 * DATABASE_URL alone, or read from the file DATABASE_URL_FILE names: for the tools beside a
 * service (`fleet-db`, the dev seeds), which take the service's database as it does.
 */
export const databaseUrlFromEnv = (env: NodeJS.ProcessEnv = process.env): string =>
  loadConfig(Type.Object({ DATABASE_URL: PostgresUrl() }), env).DATABASE_URL

/** pino's levels, quietest last: what LOG_LEVEL takes, for the services and the web server alike. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export const LogLevel = Type.Union(
  LOG_LEVELS.map((level) => Type.Literal(level)),
  { default: 'info' },
)
/** JSON lines (what Promtail ships), or pino-pretty's for a person at a terminal. */
export const LogFormat = Type.Union([Type.Literal('json'), Type.Literal('pretty')], { default: 'json' })

/** Environment variables every fleet service reads; services spread these into their own schema. */
export function serviceEnv(defaults: ServiceEnvDefaults) {
  return {
    NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
      default: 'development',
    }),
    /** Loopback unless told otherwise: chaos switches and /metrics must not face a network by accident. */
    HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
    PORT: Type.Integer({ default: defaults.port, minimum: 0, maximum: 65535 }),
    LOG_LEVEL: LogLevel,
    LOG_FORMAT: LogFormat,
    /** Also write JSON logs to this file, e.g. in the volume Promtail reads. */
    LOG_FILE: Type.Optional(Type.String({ minLength: 1 })),
    /** LOG_FILE's rotation: its size before it is renamed LOG_FILE.1, and the files kept in all (@food/logger's defaults: 10 MiB, 5). */
    LOG_FILE_MAX_BYTES: Type.Optional(Type.Integer({ minimum: 1024 })),
    LOG_FILE_KEEP: Type.Optional(Type.Integer({ minimum: 2, maximum: 1000 })),
    DATABASE_URL: PostgresUrl(),
    DATABASE_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
    /** How long a request waits for a free connection of the pool before 503 DATABASE_BUSY. */
    DATABASE_POOL_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 10, maximum: 600_000 }),
    /** PostgreSQL's statement_timeout and lock_timeout: no query, and no wait for a row lock, runs unbounded. */
    DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 10, maximum: 3_600_000 }),
    DATABASE_LOCK_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 10, maximum: 3_600_000 }),
    REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', pattern: '^rediss?://' }),
    REDIS_KEY_PREFIX: Type.String({ default: defaults.redisKeyPrefix }),
    REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ default: 250, minimum: 10, maximum: 10_000 }),
    /**
     * Deadlines of a request's arrival, so a client that sends its headers or its body slowly, or
     * never (slowloris, a proxy forwarding a header without its body), cannot hold a connection:
     * the headers from the connection's (or the previous request's) end, the body from the
     * headers' end, and the whole request; each answered 408 REQUEST_TIMEOUT and closed.
     */
    HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 600_000 }),
    HTTP_BODY_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 600_000 }),
    HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100, maximum: 600_000 }),
    /**
     * Idle time of a kept-alive connection before the service closes it: above the gateway's
     * upstream keepalive_timeout (60 s), so the gateway always drops an idle connection first and
     * never sends a request on one the service is closing.
     */
    HTTP_KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ default: 72_000, minimum: 100, maximum: 600_000 }),
    /** Connections held at once; more are closed as they arrive (file descriptors and memory stay bounded). */
    HTTP_MAX_CONNECTIONS: Type.Integer({ default: 1024, minimum: 1, maximum: 1_000_000 }),
    /** Unset means: on, except when NODE_ENV is production (see chaosEnabled). */
    CHAOS_ENABLED: Type.Optional(Type.Boolean()),
    /** Required by chaos changes (X-Chaos-Token header) when set; must be set beyond loopback. */
    CHAOS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
    /**
     * The fault proxy's API (Toxiproxy's), when this service's edges go through it (npm start sets
     * it): the chaos plane then shows and switches the network faults of the service's edges.
     */
    FAULT_PROXY_URL: Type.Optional(HttpUrl()),
    /** Host names besides loopback and IP addresses the service answers (see AllowedHosts). */
    ALLOWED_HOSTS: AllowedHosts(),
  }
}

/** Whether `host` is reachable from this machine only. */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)

interface ServiceEnvValues {
  NODE_ENV: string
  HTTP_HEADERS_TIMEOUT_MS: number
  HTTP_REQUEST_TIMEOUT_MS: number
  HOST: string
  CHAOS_ENABLED?: boolean | undefined
  CHAOS_TOKEN?: string | undefined
  SERVICE_TOKEN?: string | undefined
}

/** What every service refuses to start with, beyond what the schema says. */
export function serviceEnvProblems(config: ServiceEnvValues): string[] {
  const problems: string[] = []
  if (chaosEnabled(config) && !config.CHAOS_TOKEN && !isLoopback(config.HOST)) {
    problems.push(
      `CHAOS_TOKEN is required when chaos is on and the service listens beyond loopback (HOST=${config.HOST}); or set CHAOS_ENABLED=false`,
    )
  }
  // Node refuses a headers deadline past the whole request's (and it could never strike).
  if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push(
      `HTTP_HEADERS_TIMEOUT_MS (${config.HTTP_HEADERS_TIMEOUT_MS}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${config.HTTP_REQUEST_TIMEOUT_MS})`,
    )
  }
  if (config.NODE_ENV !== 'production') return problems
  for (const name of ['CHAOS_TOKEN', 'SERVICE_TOKEN'] as const) {
    const value = config[name]
    if (!value) continue
    const problem =
      value === DEV_SERVICE_TOKEN
        ? `${name} must be set in production: the built-in value is for development only`
        : weakSecretProblem(name, value)
    if (problem) problems.push(problem)
  }
  return problems
}

/** Chaos routes are a testbed feature: on by default, off by default in production. */
export function chaosEnabled(config: { NODE_ENV: string; CHAOS_ENABLED?: boolean | undefined }): boolean {
  return config.CHAOS_ENABLED ?? config.NODE_ENV !== 'production'
}

/** loadConfig for a service's schema (built on serviceEnv): its own rules and every service's. */
export function loadServiceConfig<T extends TObject>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
  check: (config: Static<T>) => string[] = () => [],
): Static<T> {
  return loadConfig(schema, env, (config) => [
    ...serviceEnvProblems(config as unknown as ServiceEnvValues),
    ...check(config),
  ])
}
