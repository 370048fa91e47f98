import { SQLSTATE, sqlState } from '@food/postgres'
import type pg from 'pg'
import type { OrderChange, OrderRecord, OrderState } from '../domain/order.ts'

export interface NewOrder {
  userId: number
  address: string
  phone: string
  idempotencyKey: string | null
  requestHash: string | null
  totalPrice: number
  items: { menuId: number; quantity: number; price: number; name: string }[]
}

export class DuplicateIdempotencyKeyError extends Error {}

// Plain SQL, one round trip per call: through the Prisma client, storing an order took five round
// trips and a transition two, and its query planning was 15% of the order service's CPU under
// load (profiled, see Performance). Prisma keeps the schema and the migrations.

/** An order row `o` as an OrderRecord, its items in menu order. */
const ORDER_RECORD = `o.id, o.user_id AS "userId", o.status, o.payment_status AS "paymentStatus",
  o.stock_status AS "stockStatus", o.failure_reason AS "failureReason", o.total_price AS "totalPrice",
  o.address, o.phone, o.release_attempts AS "releaseAttempts", o.request_hash AS "requestHash",
  o.created_at AS "createdAt", o.updated_at AS "updatedAt"`
const ITEMS_OF = (items: string) => `COALESCE((SELECT json_agg(json_build_object('id', i.id, 'menuId', i.menu_id,
  'quantity', i.quantity, 'price', i.price, 'name', i.name) ORDER BY i.menu_id) FROM ${items} i), '[]') AS items`

const SELECT_ORDERS = `SELECT ${ORDER_RECORD}, ${ITEMS_OF('(SELECT * FROM order_items WHERE order_id = o.id)')} FROM orders o`

const INSERT_ORDER = `
WITH o AS (
  INSERT INTO orders (user_id, status, payment_status, stock_status, total_price, address, phone,
                      idempotency_key, request_hash)
  VALUES ($1, 'PENDING', 'pending', 'reserving', $2, $3, $4, $5, $6)
  RETURNING *
), items AS (
  INSERT INTO order_items (order_id, menu_id, quantity, price, name)
  SELECT o.id, line.menu_id, line.quantity, line.price, line.name
  FROM o, unnest($7::int[], $8::int[], $9::int[], $10::text[]) AS line(menu_id, quantity, price, name)
  RETURNING *
)
SELECT ${ORDER_RECORD}, ${ITEMS_OF('items')} FROM o`

/** Column of each field a transition may read or write. */
const COLUMNS: Record<keyof OrderState | keyof OrderChange, string> = {
  status: 'status',
  stockStatus: 'stock_status',
  userId: 'user_id',
  paymentStatus: 'payment_status',
  failureReason: 'failure_reason',
  nextAttemptAt: 'next_attempt_at',
  releaseAttempts: 'release_attempts',
}

/** One UPDATE … WHERE current state … RETURNING the order with its items, and its parameters. */
function transitionStatement(id: number, from: OrderState, change: OrderChange): [string, unknown[]] {
  const values: unknown[] = [id]
  const placeholder = (value: unknown) => {
    values.push(value)
    return `$${values.length}`
  }
  const sets = Object.entries(change)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => `${COLUMNS[field as keyof OrderChange]} = ${placeholder(value)}`)
  const conditions = Object.entries(from)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => `${COLUMNS[field as keyof OrderState]} = ${placeholder(value)}`)
  const sql = `
WITH o AS (
  UPDATE orders SET ${[...sets, 'updated_at = now()'].join(', ')}
  WHERE ${['id = $1', ...conditions].join(' AND ')}
  RETURNING *
)
SELECT ${ORDER_RECORD}, ${ITEMS_OF('(SELECT * FROM order_items WHERE order_id = (SELECT id FROM o))')} FROM o`
  return [sql, values]
}

/**
 * Claims up to `batch` unsettled orders in one statement, for the recoverer. `FOR UPDATE SKIP LOCKED` and the lease
 * (next_attempt_at moved into the future) keep two replicas off the same order; an abandoned
 * PENDING order becomes FAILED (`abandoned`) in the same statement, so a late step of the dead
 * request can no longer confirm it.
 */
const CLAIM_UNSETTLED = `
WITH claimable AS (
  SELECT id, status FROM orders
  WHERE (status = 'PENDING' AND updated_at < now() - make_interval(secs => $1))
     OR (stock_status = 'releasing' AND (
          next_attempt_at <= now()
          OR (next_attempt_at IS NULL AND updated_at < now() - make_interval(secs => $1))))
  ORDER BY id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE orders o SET
    status = CASE WHEN c.status = 'PENDING' THEN 'FAILED' ELSE o.status END,
    failure_reason = CASE WHEN c.status = 'PENDING' THEN 'abandoned' ELSE o.failure_reason END,
    payment_status = CASE WHEN c.status = 'PENDING' THEN 'skipped' ELSE o.payment_status END,
    stock_status = 'releasing',
    next_attempt_at = now() + make_interval(secs => $3),
    updated_at = now()
  FROM claimable c
  WHERE o.id = c.id
  RETURNING o.*, c.status = 'PENDING' AS abandoned
)
SELECT o.abandoned, ${ORDER_RECORD}, ${ITEMS_OF('(SELECT * FROM order_items WHERE order_id = o.id)')}
FROM claimed o ORDER BY o.id`

/** The one writer of the orders and order_items tables; every status change goes through `transition`. */
export class OrderRepository {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  /** Stores a PENDING order with its items in one statement: the saga's first record. */
  async create(order: NewOrder): Promise<OrderRecord> {
    try {
      const { rows } = await this.#pool.query<OrderRecord>(INSERT_ORDER, [
        order.userId,
        order.totalPrice,
        order.address,
        order.phone,
        order.idempotencyKey,
        order.requestHash,
        order.items.map((item) => item.menuId),
        order.items.map((item) => item.quantity),
        order.items.map((item) => item.price),
        order.items.map((item) => item.name),
      ])
      return rows[0] as OrderRecord
    } catch (error) {
      if (sqlState(error) === SQLSTATE.uniqueViolation) throw new DuplicateIdempotencyKeyError()
      throw error
    }
  }

  async findById(id: number): Promise<OrderRecord | null> {
    const { rows } = await this.#pool.query<OrderRecord>(`${SELECT_ORDERS} WHERE o.id = $1`, [id])
    return rows[0] ?? null
  }

  async findByIdempotencyKey(userId: number, idempotencyKey: string): Promise<OrderRecord | null> {
    const { rows } = await this.#pool.query<OrderRecord>(
      `${SELECT_ORDERS} WHERE o.user_id = $1 AND o.idempotency_key = $2`,
      [userId, idempotencyKey],
    )
    return rows[0] ?? null
  }

  /**
   * Lets a FAILED order give up its Idempotency-Key, so that a retry of the request can place a
   * new order under it; false when the order is no longer FAILED or has no key.
   */
  async releaseIdempotencyKey(id: number): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE orders SET idempotency_key = NULL, updated_at = now()
       WHERE id = $1 AND status = 'FAILED' AND idempotency_key IS NOT NULL`,
      [id],
    )
    return rowCount === 1
  }

  async listByUser(userId: number, limit: number, offset: number): Promise<{ orders: OrderRecord[]; total: number }> {
    const [orders, total] = await Promise.all([
      this.#pool.query<OrderRecord>(`${SELECT_ORDERS} WHERE o.user_id = $1 ORDER BY o.id DESC LIMIT $2 OFFSET $3`, [
        userId,
        limit,
        offset,
      ]),
      this.#pool.query<{ total: number }>('SELECT count(*)::int AS total FROM orders WHERE user_id = $1', [userId]),
    ])
    return { orders: orders.rows, total: total.rows[0]?.total ?? 0 }
  }

  /**
   * Claims up to `batch` unsettled orders for the recoverer, each with whether it was found
   * abandoned PENDING (and is now FAILED, `abandoned`) rather than left releasing.
   */
  async claimUnsettled(
    pendingTimeoutSeconds: number,
    batch: number,
    leaseSeconds: number,
  ): Promise<{ order: OrderRecord; abandoned: boolean }[]> {
    const { rows } = await this.#pool.query<OrderRecord & { abandoned: boolean }>(CLAIM_UNSETTLED, [
      pendingTimeoutSeconds,
      batch,
      leaseSeconds,
    ])
    return rows.map(({ abandoned, ...order }) => ({ order, abandoned }))
  }

  /**
   * Moves the order from `from` to `change` if it is still in `from`; returns the order after the
   * change, or `undefined` when someone else (a cancel, the recoverer) moved it first.
   */
  async transition(id: number, from: OrderState, change: OrderChange): Promise<OrderRecord | undefined> {
    const { rows } = await this.#pool.query<OrderRecord>(...transitionStatement(id, from, change))
    return rows[0]
  }
}
