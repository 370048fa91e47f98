import { existsSync } from 'node:fs'

export interface TestInfrastructure {
  /** Where PostgreSQL and Redis came from, printed so a run says what it tested against. */
  source: 'containers' | 'environment'
  /** URL of the server's maintenance database; tests create their own databases on it. */
  postgresUrl: string
  redisUrl: string
  stop(): Promise<void>
}

const DEFAULT_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/postgres'
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

/** `containers`, `servers`, or `auto`: containers when a Docker engine answers, else servers. */
type Choice = 'auto' | 'containers' | 'servers'

function choice(): Choice {
  const value = process.env.TEST_INFRASTRUCTURE ?? 'auto'
  if (value === 'auto' || value === 'containers' || value === 'servers') return value
  throw new Error(`TEST_INFRASTRUCTURE must be auto, containers or servers, not "${value}"`)
}

function dockerMayBeReachable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock')
}

/**
 * Throwaway PostgreSQL and Redis containers, or undefined when they cannot be had and were not
 * required (no engine, or an image that cannot be pulled, such as testcontainers' Ryuk reaper
 * offline: TESTCONTAINERS_RYUK_DISABLED=true then, and `stop` removes the containers).
 */
async function startContainers(required: boolean): Promise<TestInfrastructure | undefined> {
  const give = (reason: string) => {
    if (required) throw new Error(`TEST_INFRASTRUCTURE=containers, but ${reason}`)
    console.warn(`test containers unavailable (${reason}); using the servers named by the environment`)
    return undefined
  }
  const { getContainerRuntimeClient } = await import('testcontainers')
  try {
    await getContainerRuntimeClient()
  } catch (error) {
    return give(`no Docker engine answers: ${error}`)
  }
  const [{ PostgreSqlContainer }, { RedisContainer }] = await Promise.all([
    import('@testcontainers/postgresql'),
    import('@testcontainers/redis'),
  ])
  const [postgres, redis] = await Promise.allSettled([
    new PostgreSqlContainer('postgres:15-alpine').withDatabase('postgres').start(),
    new RedisContainer('redis:7-alpine').start(),
  ])
  if (postgres.status === 'rejected' || redis.status === 'rejected') {
    await Promise.all(
      [postgres, redis].map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)),
    )
    const failure = postgres.status === 'rejected' ? postgres.reason : (redis as PromiseRejectedResult).reason
    return give(`the containers did not start: ${failure}`)
  }
  return {
    source: 'containers',
    postgresUrl: postgres.value.getConnectionUri(),
    redisUrl: redis.value.getConnectionUrl(),
    stop: async () => {
      await Promise.all([postgres.value.stop(), redis.value.stop()])
    },
  }
}

/**
 * Real PostgreSQL and Redis for a test run: throwaway containers when a Docker engine answers,
 * else the servers named by TEST_DATABASE_URL / DATABASE_URL and REDIS_URL (localhost by
 * default); TEST_INFRASTRUCTURE=containers or =servers insists on one. Never a mock: with
 * neither, the run fails when it first connects.
 */
export async function startTestInfrastructure(): Promise<TestInfrastructure> {
  const wanted = choice()
  const tryContainers = wanted === 'containers' || (wanted === 'auto' && dockerMayBeReachable())
  const containers = tryContainers ? await startContainers(wanted === 'containers') : undefined
  if (containers) return containers
  const databaseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_POSTGRES_URL
  const postgresUrl = new URL(databaseUrl)
  postgresUrl.pathname = '/postgres'
  return {
    source: 'environment',
    postgresUrl: postgresUrl.toString(),
    redisUrl: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
    stop: async () => {},
  }
}
