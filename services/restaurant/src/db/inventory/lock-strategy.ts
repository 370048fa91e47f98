import type pg from 'pg'
import type { LockStrategyName } from '../../config.ts'

export interface MenuStock {
  restaurantId: number
  stock: number
  version: number
}

/**
 * How one stock change is kept consistent with concurrent ones. Each strategy says whether its
 * read locks the menu row and which statement moves the stock; the rules (never below zero, once
 * per order) are the same for all, and the inventory store runs the statements.
 */
export interface LockStrategy {
  name: LockStrategyName
  /** Whether the read takes the menu row's lock (`FOR UPDATE`), held until commit. */
  locksOnRead: boolean
  /** Which step waits for other transactions' row lock: measured as lock wait. */
  lockingStep: 'read' | 'move'
  /**
   * Where the chaos inventory delay runs: while the lock is held (after the locking read, or
   * after the locking update); optimistic holds none, and a delay before its update widens the
   * window in which others change the row.
   */
  delayPoint: 'before-move' | 'after-move'
  /** What the move returning no row means: lost a version race, or not enough stock. */
  whenNotMoved: 'retry' | 'insufficient-stock'
  /**
   * The UPDATE adding `delta` (negative to take), `RETURNING stock`; it returns no row when the
   * change did not apply: the row moved since it was read (optimistic) or stock would go below
   * zero (atomic).
   */
  move(menuId: number, delta: number, read: MenuStock): pg.QueryConfig
}

const ADD_STOCK = 'UPDATE menus SET stock = stock + $2, version = version + 1, updated_at = now() WHERE id = $1'

/** `SELECT … FOR UPDATE`: the row is locked from the read until commit; others queue behind it. */
export const pessimistic: LockStrategy = {
  name: 'pessimistic',
  locksOnRead: true,
  lockingStep: 'read',
  delayPoint: 'before-move',
  whenNotMoved: 'retry',
  move: (menuId, delta) => ({ text: `${ADD_STOCK} RETURNING stock`, values: [menuId, delta] }),
}

/** Plain read, then an update that applies only if the version is unchanged; the caller retries. */
export const optimistic: LockStrategy = {
  name: 'optimistic',
  locksOnRead: false,
  lockingStep: 'move',
  delayPoint: 'before-move',
  whenNotMoved: 'retry',
  move: (menuId, delta, read) => ({
    text: `${ADD_STOCK} AND version = $3 RETURNING stock`,
    values: [menuId, delta, read.version],
  }),
}

/** One conditional update: PostgreSQL re-checks `stock + delta >= 0` on the latest row version. */
export const atomic: LockStrategy = {
  name: 'atomic',
  locksOnRead: false,
  lockingStep: 'move',
  delayPoint: 'after-move',
  whenNotMoved: 'insufficient-stock',
  move: (menuId, delta) => ({ text: `${ADD_STOCK} AND stock + $2 >= 0 RETURNING stock`, values: [menuId, delta] }),
}

/**
 * Deliberately wrong: writes back the stock it read, so concurrent changes overwrite each other.
 * Exists so the load runner's invariant checks can be seen catching a real defect.
 */
export const unsafe: LockStrategy = {
  name: 'unsafe',
  locksOnRead: false,
  lockingStep: 'move',
  delayPoint: 'before-move',
  whenNotMoved: 'retry',
  move: (menuId, delta, read) => ({
    text: 'UPDATE menus SET stock = $2, version = version + 1 WHERE id = $1 RETURNING stock',
    values: [menuId, read.stock + delta],
  }),
}

export const LOCK_STRATEGIES_BY_NAME: Record<LockStrategyName, LockStrategy> = {
  pessimistic,
  optimistic,
  atomic,
  unsafe,
}
