import { type AppError, serviceUnavailable } from '@food/errors'

/** Prisma's codes for a database it cannot use now: unreachable, timed out, missing, closed. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1003', 'P1008', 'P1017', 'P2024'])

/**
 * SQLSTATEs of a server that is gone, going or refusing: connection exceptions (class 08),
 * shutdowns and start-up (57P01–57P03), a missing database (3D000), no free connection (53300).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|3D000|53300)$/

/** Socket errors of a server that cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'EPIPE',
])

/**
 * Kinds of the driver adapter's errors that Prisma reports inside another code (a raw query's
 * P2010 says only "Raw query failed"): a server that cannot be reached or served the connection.
 */
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
])

/**
 * The driver adapter's error that Prisma wraps (`meta.driverAdapterError.cause`): its kind, and
 * for an error of PostgreSQL itself, the SQLSTATE as `code`.
 */
function adapterCause(error: object): { kind?: unknown; code?: unknown } | undefined {
  if (!('meta' in error)) return undefined
  return (error.meta as { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } } | undefined)
    ?.driverAdapterError?.cause
}

/** What pg-pool says when no connection came free within its connectionTimeoutMillis. */
const POOL_CHECKOUT_TIMEOUT = 'timeout exceeded when trying to connect'

/** node-postgres says these in words, without a code. */
const PG_MESSAGES = new RegExp(
  `^(Connection terminated|${POOL_CHECKOUT_TIMEOUT}|Client has encountered a connection error)`,
)

function codeOf(error: object): string | undefined {
  return 'code' in error && typeof error.code === 'string' ? error.code : undefined
}

/** True when `error` (or what caused it) says PostgreSQL cannot be used right now, not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false
  const code = codeOf(error)
  if (code && (PRISMA_CODES.has(code) || NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true
  if (ADAPTER_KINDS.has(adapterCause(error)?.kind as string)) return true
  if (error instanceof Error && PG_MESSAGES.test(error.message)) return true
  return 'cause' in error && isDatabaseUnavailable(error.cause, depth + 1)
}

/** Answers a request that needed PostgreSQL while it is down with 503, never a bare 500. */
export const translateDatabaseUnavailable = (error: Error): AppError | undefined =>
  isDatabaseUnavailable(error) ? serviceUnavailable('DATABASE_UNAVAILABLE', 'The database is unavailable') : undefined

/** A pool that found no free connection in time (all held), as opposed to a server that is down. */
export const isPoolCheckoutTimeout = (error: unknown): boolean =>
  error instanceof Error && error.message.startsWith(POOL_CHECKOUT_TIMEOUT)

/** statement_timeout (57014, query canceled) and lock_timeout (55P03, lock not available). */
const TIMEOUT_SQLSTATES = new Set(['57014', '55P03'])

/** Whether `error`, the PostgreSQL error inside a Prisma one, or a cause says one of `states`. */
function hasSqlState(error: unknown, states: ReadonlySet<string>, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false
  const state = adapterCause(error)?.code ?? codeOf(error)
  if (typeof state === 'string' && states.has(state)) return true
  return 'cause' in error && hasSqlState(error.cause, states, depth + 1)
}

/** A query or lock wait that PostgreSQL ended at its timeout: 503, the request may be tried again. */
export const translateDatabaseTimeout = (error: Error): AppError | undefined =>
  hasSqlState(error, TIMEOUT_SQLSTATES)
    ? serviceUnavailable('DATABASE_TIMEOUT', 'The database did not finish in time (statement or lock timeout)')
    : undefined
