import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'
import type { OrderRepository } from '../db/order-repository.ts'
import type { SagaInstruments } from './instruments.ts'
import type { OrderTransitions } from './order-transitions.ts'
import type { StockRelease } from './stock-release.ts'

export interface RecovererOptions {
  pool: pg.Pool
  orders: OrderRepository
  transitions: OrderTransitions
  release: StockRelease
  /** A PENDING order untouched this long was abandoned by a process that died. */
  pendingTimeoutSeconds: number
  intervalMs: number
  instruments: SagaInstruments
  log: FastifyBaseLogger
}

const BATCH = 20
// How long a claimed order is this replica's to work on before another may take it over.
const LEASE_SECONDS = 60

/**
 * Claims up to BATCH unsettled orders in one statement. `FOR UPDATE SKIP LOCKED` and the lease
 * (next_attempt_at moved into the future) keep two replicas off the same order; an abandoned
 * PENDING order becomes FAILED (`abandoned`) in the same statement, so a late step of the dead
 * request can no longer confirm it.
 */
const CLAIM = `
WITH claimable AS (
  SELECT id, status FROM orders
  WHERE (status = 'PENDING' AND updated_at < now() - make_interval(secs => $1))
     OR (stock_status = 'releasing' AND (
          next_attempt_at <= now()
          OR (next_attempt_at IS NULL AND updated_at < now() - make_interval(secs => $1))))
  ORDER BY id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE orders o SET
  status = CASE WHEN c.status = 'PENDING' THEN 'FAILED' ELSE o.status END,
  failure_reason = CASE WHEN c.status = 'PENDING' THEN 'abandoned' ELSE o.failure_reason END,
  payment_status = CASE WHEN c.status = 'PENDING' THEN 'skipped' ELSE o.payment_status END,
  stock_status = 'releasing',
  next_attempt_at = now() + make_interval(secs => $3),
  updated_at = now()
FROM claimable c
WHERE o.id = c.id
RETURNING o.id, c.status AS found`

/** Finishes what crashed or failed requests left: no unit of stock stays held by a dead order. */
export class Recoverer {
  readonly #options: RecovererOptions
  #timer: NodeJS.Timeout | undefined
  #running: Promise<number> | undefined

  constructor(options: RecovererOptions) {
    this.#options = options
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#running ??= this.runOnce()
        .catch((error: Error) => {
          this.#options.log.error({ err: error }, 'recovery round failed')
          return 0
        })
        .finally(() => {
          this.#running = undefined
        })
    }, this.#options.intervalMs)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#running
  }

  /** One round: claims unsettled orders and gives their stock back; returns how many it took. */
  async runOnce(): Promise<number> {
    const { pool, orders, transitions, release, instruments, log, pendingTimeoutSeconds } = this.#options
    const { rows } = await pool.query<{ id: number; found: string }>(CLAIM, [
      pendingTimeoutSeconds,
      BATCH,
      LEASE_SECONDS,
    ])
    for (const { id, found } of rows) {
      const abandoned = found === 'PENDING'
      instruments.recovered.inc({ found: abandoned ? 'abandoned' : 'unreleased' })
      await transitions.changedElsewhere(id, abandoned ? { status: 'FAILED', reason: 'abandoned' } : undefined)
      const order = await orders.findById(id)
      if (!order) continue
      log.warn({ order_id: id, found, status: order.status }, 'recovering order')
      await release.release(order, 1)
    }
    return rows.length
  }
}
