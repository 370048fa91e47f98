import { setTimeout as sleep } from 'node:timers/promises'
import type { StockOperation, StockOutcome } from '@food/contracts'
import { AppError, conflict, notFound, serviceUnavailable } from '@food/errors'
import { traceExemplar } from '@food/metrics'
import { SQLSTATE, sqlState, withTransaction } from '@food/postgres'
import type { Gate } from '@food/service-kit'
import type pg from 'pg'
import type { Counter, Histogram } from 'prom-client'
import { LOAD_KITCHEN, type MenuView } from '../../domain/catalog.ts'
import { decideReserve, decideRestore, describeRejection, type Rejection } from '../../domain/inventory.ts'
import type { LockStrategy, MenuStock } from './lock-strategy.ts'
import { insertMenu, type NewMenu } from './menus.ts'
import { insertVoidMark, readLedger, readReservation, type StockLedger } from './reservations.ts'
import { type LedgerRow, moveWithLedgerRow, readMenuStock, readMenuStockAndReservation } from './stock-rows.ts'

/** What a restock set (each menu with its restaurant, for their caches), or the menus it did not find. */
export interface Restocked {
  menus: { menuId: number; restaurantId: number }[]
  missing: number[]
}

export interface StockChange {
  menuId: number
  orderId: string
  quantity: number
  operation: StockOperation
}

export interface StockChangeResult {
  menuId: number
  restaurantId: number
  orderId: string
  operation: StockOperation
  outcome: StockOutcome
  /** Units this call moved: 0 for a replay or a void. */
  moved: number
  stock: number
}

export interface InventoryInstruments {
  changes: Counter<'operation' | 'outcome' | 'strategy'>
  lockWait: Histogram<'strategy'>
  retries: Counter<'strategy'>
}

export interface InventoryStoreOptions {
  strategy: LockStrategy
  maxAttempts: number
  /** Chaos: runs while the row lock is held (or, optimistic, between read and write). */
  holdLock: () => Promise<void>
  instruments: InventoryInstruments
  /** Stock changes in flight at once: fewer than the pool's connections, so reads always find one. */
  changes: Gate
}

/** The attempt lost a race (the row moved, or a twin request recorded first); run it again. */
class LostRace extends Error {}

const RETRYABLE_STATES = new Set<string>([
  SQLSTATE.uniqueViolation,
  SQLSTATE.serializationFailure,
  SQLSTATE.deadlockDetected,
])

function rejected(menuId: number, rejection: Rejection): AppError {
  const { code, ...facts } = rejection
  return conflict(code, describeRejection(menuId, rejection), { menu_id: menuId, ...facts })
}

/**
 * The one writer of `menus` and `stock_reservations`: a new menu with its opening stock, and every
 * reserve and restore, under the configured locking strategy, one transaction each.
 */
export class InventoryStore {
  readonly #pool: pg.Pool
  readonly #options: InventoryStoreOptions

  constructor(pool: pg.Pool, options: InventoryStoreOptions) {
    this.#pool = pool
    this.#options = options
  }

  /** The new menu, or `undefined` when there is no such restaurant. */
  addMenu(menu: NewMenu): Promise<MenuView | undefined> {
    return insertMenu(this.#pool, menu)
  }

  /**
   * Sets the stock of every menu but the load kitchen's (or of `only`) to `stock`, in one
   * statement: each row is locked as any stock change locks it, so a reserve running at the same
   * time lands before or after, never half-way. Reservations stay as they are. The menus it set,
   * for their caches; when a menu of `only` does not exist, nothing is set and `missing` names it.
   */
  async restock(stock: number, only?: number[]): Promise<Restocked> {
    const { rows } = await this.#pool.query<{ missing: boolean; menuId: number; restaurantId: number }>(
      `WITH missing AS (
         SELECT wanted FROM unnest($2::int[]) AS wanted WHERE NOT EXISTS (SELECT 1 FROM menus WHERE id = wanted)
       ), moved AS (
         UPDATE menus SET stock = $1, version = version + 1, updated_at = now()
         WHERE NOT EXISTS (SELECT 1 FROM missing)
           AND (id = ANY($2::int[])
             OR ($2::int[] IS NULL AND restaurant_id NOT IN (SELECT id FROM restaurants WHERE category = $3)))
         RETURNING id, restaurant_id
       )
       SELECT false AS missing, id AS "menuId", restaurant_id AS "restaurantId" FROM moved
       UNION ALL SELECT true, wanted, 0 FROM missing`,
      [stock, only ?? null, LOAD_KITCHEN.category],
    )
    const ids = (missing: boolean) => rows.filter((row) => row.missing === missing).sort((a, b) => a.menuId - b.menuId)
    return { menus: ids(false), missing: ids(true).map((row) => row.menuId) }
  }

  /** A menu's stock beside what orders hold of it, or `undefined` for an unknown menu. */
  ledger(menuId: number): Promise<StockLedger | undefined> {
    return readLedger(this.#pool, menuId)
  }

  /**
   * A reserve or restore, under the locking strategy, retried when it lost a race. Changes wait
   * their turn at the gate, holding no connection: a hot menu (say under `inventory_delay`) can
   * take only the changes' share of the pool, never the connections the catalogue reads need.
   */
  change(change: StockChange): Promise<StockChangeResult> {
    return this.#options.changes.run(() => this.#change(change))
  }

  async #change(change: StockChange): Promise<StockChangeResult> {
    const { strategy, maxAttempts, instruments } = this.#options
    const labels = { operation: change.operation, strategy: strategy.name }
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await withTransaction(this.#pool, (client) => this.#attempt(client, change))
        instruments.changes.inc({ ...labels, outcome: result.outcome })
        return result
      } catch (error) {
        const lostRace = error instanceof LostRace || RETRYABLE_STATES.has(sqlState(error) ?? '')
        if (lostRace && attempt < maxAttempts) {
          instruments.retries.inc({ strategy: strategy.name })
          await sleep(Math.random() * Math.min(2 ** attempt, 50))
          continue
        }
        const failure = lostRace
          ? serviceUnavailable(
              'STOCK_CONTENTION',
              `Menu ${change.menuId} changed under ${maxAttempts} attempts in a row; try again`,
            )
          : error
        instruments.changes.inc({
          ...labels,
          outcome: failure instanceof AppError ? failure.code.toLowerCase() : 'error',
        })
        throw failure
      }
    }
  }

  async #attempt(client: pg.PoolClient, change: StockChange): Promise<StockChangeResult> {
    const { menuId, orderId, quantity, operation } = change
    const { locksOnRead } = this.#options.strategy
    const read = await this.#timed('read', () =>
      operation === 'reserve'
        ? readMenuStockAndReservation(client, menuId, orderId, locksOnRead)
        : this.#readForRestore(client, menuId, orderId),
    )
    if (!read) throw notFound('MENU_NOT_FOUND', `No menu with id ${menuId}`)
    const { menu, reservation } = read
    const result = (outcome: StockOutcome, moved: number, stock: number): StockChangeResult => ({
      menuId,
      restaurantId: menu.restaurantId,
      orderId,
      operation,
      outcome,
      moved,
      stock,
    })

    if (operation === 'reserve') {
      const decision = decideReserve(reservation, menu.stock, quantity)
      if (decision.kind === 'reject') throw rejected(menuId, decision.rejection)
      if (decision.kind === 'replay') return result('replayed', 0, menu.stock)
      const stock = await this.#move(client, menuId, -quantity, menu, { kind: 'reserve', orderId, menuId, quantity })
      return result('reserved', quantity, stock)
    }

    const decision = decideRestore(reservation, quantity)
    if (decision.kind === 'reject') throw rejected(menuId, decision.rejection)
    if (decision.kind === 'replay') return result('replayed', 0, menu.stock)
    if (decision.kind === 'void') {
      await insertVoidMark(client, { orderId, menuId, quantity })
      return result('voided', 0, menu.stock)
    }
    const stock = await this.#move(client, menuId, decision.quantity, menu, { kind: 'restore', orderId, menuId })
    return result('restored', decision.quantity, stock)
  }

  /**
   * A restore reads the menu, then locks the reservation: two twin restores queue on it, and the
   * second sees the first's RESTORED once it has the lock. Restores are compensations, rare, so
   * they keep the two round trips; the reserve reads both in one.
   */
  async #readForRestore(client: pg.PoolClient, menuId: number, orderId: string) {
    const menu = await readMenuStock(client, menuId, this.#options.strategy.locksOnRead)
    if (!menu) return undefined
    return { menu, reservation: await readReservation(client, orderId, menuId, { forUpdate: true }) }
  }

  /** The strategy's move with its ledger row, one statement; the chaos delay where the strategy says. */
  async #move(client: pg.PoolClient, menuId: number, delta: number, read: MenuStock, row: LedgerRow): Promise<number> {
    const { strategy, holdLock } = this.#options
    if (strategy.delayPoint === 'before-move') await holdLock()
    const stock = await this.#timed('move', () => moveWithLedgerRow(client, strategy.move(menuId, delta, read), row))
    if (stock === undefined) {
      if (strategy.whenNotMoved === 'retry') throw new LostRace()
      const current = await readMenuStock(client, menuId, false)
      throw rejected(menuId, { code: 'INSUFFICIENT_STOCK', available: current?.stock ?? 0, requested: -delta })
    }
    if (strategy.delayPoint === 'after-move') await holdLock()
    return stock
  }

  async #timed<T>(step: 'read' | 'move', work: () => Promise<T>): Promise<T> {
    if (step !== this.#options.strategy.lockingStep) return work()
    const stop = this.#options.instruments.lockWait.startTimer(
      { strategy: this.#options.strategy.name },
      traceExemplar(),
    )
    try {
      return await work()
    } finally {
      stop()
    }
  }
}
