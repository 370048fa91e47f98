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

function dockerMayBeReachable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock')
}

async function startContainers(): Promise<TestInfrastructure | undefined> {
  const { getContainerRuntimeClient } = await import('testcontainers')
  try {
    await getContainerRuntimeClient()
  } catch {
    return undefined
  }
  const [{ PostgreSqlContainer }, { RedisContainer }] = await Promise.all([
    import('@testcontainers/postgresql'),
    import('@testcontainers/redis'),
  ])
  const [postgres, redis] = await Promise.all([
    new PostgreSqlContainer('postgres:15-alpine').withDatabase('postgres').start(),
    new RedisContainer('redis:7-alpine').start(),
  ])
  return {
    source: 'containers',
    postgresUrl: postgres.getConnectionUri(),
    redisUrl: redis.getConnectionUrl(),
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop()])
    },
  }
}

/**
 * Real PostgreSQL and Redis for a test run: throwaway containers when a Docker engine answers,
 * else the servers named by TEST_DATABASE_URL / DATABASE_URL and REDIS_URL (localhost by
 * default). Never a mock: with neither, the run fails when it first connects.
 */
export async function startTestInfrastructure(): Promise<TestInfrastructure> {
  const containers = dockerMayBeReachable() ? await startContainers() : undefined
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
