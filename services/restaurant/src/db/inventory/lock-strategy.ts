import type pg from 'pg'
import type { LockStrategyName } from '../../config.ts'

export interface MenuStock {
  restaurantId: number
  stock: number
  version: number
}

/**
 * How one stock change is kept consistent with concurrent ones. Each strategy reads the menu
 * row and moves its stock; the rules (never below zero, once per order) are the same for all.
 */
export interface LockStrategy {
  name: LockStrategyName
  /** Which step waits for other transactions' row lock: measured as lock wait. */
  lockingStep: 'read' | 'move'
  /**
   * Where the chaos inventory delay runs: while the lock is held (after the locking read, or
   * after the locking update); optimistic holds none, and a delay before its update widens the
   * window in which others change the row.
   */
  delayPoint: 'before-move' | 'after-move'
  /** What `moveStock` returning `undefined` means: lost a version race, or not enough stock. */
  whenNotMoved: 'retry' | 'insufficient-stock'
  readMenu(client: pg.PoolClient, menuId: number): Promise<MenuStock | undefined>
  /**
   * Adds `delta` (negative to take) and returns the new stock, or `undefined` when the change
   * did not apply: the row moved since it was read (optimistic) or stock would go below zero (atomic).
   */
  moveStock(client: pg.PoolClient, menuId: number, delta: number, read: MenuStock): Promise<number | undefined>
}

const SELECT_MENU = 'SELECT restaurant_id, stock, version FROM menus WHERE id = $1'

async function selectMenu(client: pg.PoolClient, sql: string, menuId: number): Promise<MenuStock | undefined> {
  const { rows } = await client.query<{ restaurant_id: number; stock: number; version: number }>(sql, [menuId])
  const row = rows[0]
  return row && { restaurantId: row.restaurant_id, stock: row.stock, version: row.version }
}

async function updateStock(client: pg.PoolClient, sql: string, params: unknown[]): Promise<number | undefined> {
  const { rows } = await client.query<{ stock: number }>(sql, params)
  return rows[0]?.stock
}

/** `SELECT … FOR UPDATE`: the row is locked from the read until commit; others queue behind it. */
export const pessimistic: LockStrategy = {
  name: 'pessimistic',
  lockingStep: 'read',
  delayPoint: 'before-move',
  whenNotMoved: 'retry',
  readMenu: (client, menuId) => selectMenu(client, `${SELECT_MENU} FOR UPDATE`, menuId),
  moveStock: (client, menuId, delta) =>
    updateStock(
      client,
      'UPDATE menus SET stock = stock + $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING stock',
      [menuId, delta],
    ),
}

/** Plain read, then an update that applies only if the version is unchanged; the caller retries. */
export const optimistic: LockStrategy = {
  name: 'optimistic',
  lockingStep: 'move',
  delayPoint: 'before-move',
  whenNotMoved: 'retry',
  readMenu: (client, menuId) => selectMenu(client, SELECT_MENU, menuId),
  moveStock: (client, menuId, delta, read) =>
    updateStock(
      client,
      `UPDATE menus SET stock = stock + $2, version = version + 1, updated_at = now()
       WHERE id = $1 AND version = $3 RETURNING stock`,
      [menuId, delta, read.version],
    ),
}

/** One conditional update: PostgreSQL re-checks `stock + delta >= 0` on the latest row version. */
export const atomic: LockStrategy = {
  name: 'atomic',
  lockingStep: 'move',
  delayPoint: 'after-move',
  whenNotMoved: 'insufficient-stock',
  readMenu: (client, menuId) => selectMenu(client, SELECT_MENU, menuId),
  moveStock: (client, menuId, delta) =>
    updateStock(
      client,
      `UPDATE menus SET stock = stock + $2, version = version + 1, updated_at = now()
       WHERE id = $1 AND stock + $2 >= 0 RETURNING stock`,
      [menuId, delta],
    ),
}

/**
 * Deliberately wrong: writes back the stock it read, so concurrent changes overwrite each other.
 * Exists so the load runner's invariant checks can be seen catching a real defect.
 */
export const unsafe: LockStrategy = {
  name: 'unsafe',
  lockingStep: 'move',
  delayPoint: 'before-move',
  whenNotMoved: 'retry',
  readMenu: (client, menuId) => selectMenu(client, SELECT_MENU, menuId),
  moveStock: (client, menuId, delta, read) =>
    updateStock(client, 'UPDATE menus SET stock = $2, version = version + 1 WHERE id = $1 RETURNING stock', [
      menuId,
      read.stock + delta,
    ]),
}

export const LOCK_STRATEGIES_BY_NAME: Record<LockStrategyName, LockStrategy> = {
  pessimistic,
  optimistic,
  atomic,
  unsafe,
}
