import type {} from '@food/errors'
import type {} from '@food/health'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import pg from 'pg'
import { translateDatabaseUnavailable } from './database-unavailable.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's one connection pool; its Prisma client runs on it through @prisma/adapter-pg. */
    pg: pg.Pool
  }
}

export interface PostgresPluginOptions {
  url: string
  poolMax: number
  /** Shown in pg_stat_activity, so a DBA sees which service holds a lock. */
  applicationName: string
}

const postgres: FastifyPluginAsync<PostgresPluginOptions> = async (app, options) => {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: 5000,
    application_name: options.applicationName,
  })
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', (error) => app.log.warn({ err: error }, 'idle PostgreSQL client failed'))
  app.decorate('pg', pool)
  app.health.addCheck('postgres', () => pool.query('SELECT 1'))
  app.addErrorTranslator(translateDatabaseUnavailable)
  app.addHook('onClose', async () => {
    await pool.end()
  })
}

export const postgresPlugin = fp(postgres, {
  name: '@food/postgres',
  fastify: '5.x',
  dependencies: ['@food/health', '@food/errors'],
})
