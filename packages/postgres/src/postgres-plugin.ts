import { serviceUnavailable } from '@food/errors'
import type {} from '@food/health'
import type { MetricsRegistry } from '@food/metrics'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import pg from 'pg'
import { Counter, Gauge } from 'prom-client'
import {
  isPoolCheckoutTimeout,
  translateDatabaseTimeout,
  translateDatabaseUnavailable,
} from './database-unavailable.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's one connection pool: its repositories, its readiness check and its metrics share it. */
    pg: pg.Pool
  }
}

export interface PostgresPluginOptions {
  url: string
  poolMax: number
  /** Wait for a free connection before giving up (503 DATABASE_BUSY). */
  poolTimeoutMs: number
  statementTimeoutMs: number
  lockTimeoutMs: number
  /** Shown in pg_stat_activity, so a DBA sees which service holds a lock. */
  applicationName: string
}

/**
 * The pool's connections, read at each scrape: `database_connections_active` under the original
 * sample's name and `service_name` label (its dashboards query them), the pool's size beside it
 * (every connection checked out, even with nobody waiting yet: a leak), and the requests waiting
 * for a connection, which become 503 DATABASE_BUSY when they wait too long; and the idle
 * connections the server ended, counted as they go.
 */
function registerPoolInstruments(registry: MetricsRegistry, pool: pg.Pool, serviceName: string) {
  const lost = new Counter({
    name: 'database_connections_lost_total',
    help: 'Idle connections of the pool that the server ended (a restart, pg_terminate_backend, a network fault): the next query opens a new one',
    labelNames: ['service_name'],
    registers: [registry],
  })
  lost.inc({ service_name: serviceName }, 0)
  pool.on('error', () => lost.inc({ service_name: serviceName }))
  new Gauge({
    name: 'database_connections_active',
    help: 'PostgreSQL connections of the pool in use (checked out)',
    labelNames: ['service_name'],
    registers: [registry],
    collect() {
      this.set({ service_name: serviceName }, pool.totalCount - pool.idleCount)
    },
  })
  new Gauge({
    name: 'database_connections_max',
    help: 'Size of the pool (DATABASE_POOL_MAX): database_connections_active at this value is every connection checked out',
    labelNames: ['service_name'],
    registers: [registry],
    collect() {
      this.set({ service_name: serviceName }, pool.options.max ?? 10)
    },
  })
  new Gauge({
    name: 'database_pool_waiting_requests',
    help: 'Requests waiting for a free PostgreSQL connection of the pool',
    labelNames: ['service_name'],
    registers: [registry],
    collect() {
      this.set({ service_name: serviceName }, pool.waitingCount)
    },
  })
}

const postgres: FastifyPluginAsync<PostgresPluginOptions> = async (app, options) => {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: options.poolTimeoutMs,
    application_name: options.applicationName,
    // Set on every connection: a slow query or a long wait for a row lock ends with an error
    // (503 DATABASE_TIMEOUT) instead of holding a connection and a request without bound.
    statement_timeout: options.statementTimeoutMs,
    lock_timeout: options.lockTimeoutMs,
  })
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', (error) => app.log.warn({ err: error }, 'idle PostgreSQL client failed'))
  app.decorate('pg', pool)
  registerPoolInstruments(app.metrics.registry, pool, options.applicationName)
  app.health.addCheck('postgres', () => pool.query('SELECT 1'))
  // A full pool is not a database down: every connection is busy (with slow work or held locks).
  app.addErrorTranslator((error) =>
    isPoolCheckoutTimeout(error) && pool.totalCount >= options.poolMax
      ? serviceUnavailable('DATABASE_BUSY', 'Every database connection of this service is in use; try again')
      : undefined,
  )
  app.addErrorTranslator(translateDatabaseTimeout)
  app.addErrorTranslator(translateDatabaseUnavailable)
  app.addHook('onClose', async () => {
    await pool.end()
  })
}

export const postgresPlugin = fp(postgres, {
  name: '@food/postgres',
  fastify: '5.x',
  dependencies: ['@food/health', '@food/errors', '@food/metrics'],
})
