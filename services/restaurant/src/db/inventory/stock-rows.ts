import type pg from 'pg'
import type { Reservation } from '../../domain/inventory.ts'
import type { MenuStock } from './lock-strategy.ts'

interface MenuRow {
  restaurant_id: number
  stock: number
  version: number
}

const menuStock = (row: MenuRow): MenuStock => ({
  restaurantId: row.restaurant_id,
  stock: row.stock,
  version: row.version,
})

/** A menu's stock, its row locked until commit when `lock`. */
export async function readMenuStock(
  client: pg.PoolClient,
  menuId: number,
  lock: boolean,
): Promise<MenuStock | undefined> {
  const { rows } = await client.query<MenuRow>(
    `SELECT restaurant_id, stock, version FROM menus WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [menuId],
  )
  return rows[0] && menuStock(rows[0])
}

/**
 * A reserve's read, one round trip: the menu's stock (its row locked until commit when `lock`)
 * beside the order's reservation of it. The reservation is read as of the statement's start: a
 * twin reserve that committed while this one waited for the row lock is not seen, and this one
 * then meets the reservation's unique key on insert and runs again, as any lost race.
 */
export async function readMenuStockAndReservation(
  client: pg.PoolClient,
  menuId: number,
  orderId: string,
  lock: boolean,
): Promise<{ menu: MenuStock; reservation: Reservation | undefined } | undefined> {
  const { rows } = await client.query<MenuRow & { quantity: number | null; status: Reservation['status'] | null }>(
    `SELECT m.restaurant_id, m.stock, m.version, r.quantity, r.status
     FROM menus m LEFT JOIN stock_reservations r ON r.menu_id = m.id AND r.order_id = $2
     WHERE m.id = $1${lock ? ' FOR UPDATE OF m' : ''}`,
    [menuId, orderId],
  )
  const row = rows[0]
  if (!row) return undefined
  const reservation =
    row.quantity === null || row.status === null ? undefined : { quantity: row.quantity, status: row.status }
  return { menu: menuStock(row), reservation }
}

/** The ledger's side of a move: the reservation it opens, or the one it gives back. */
export type LedgerRow =
  | { kind: 'reserve'; orderId: string; menuId: number; quantity: number }
  | { kind: 'restore'; orderId: string; menuId: number }

function ledgerWrite(row: LedgerRow, first: number): pg.QueryConfig {
  const [order, menu, quantity] = [`$${first}`, `$${first + 1}`, `$${first + 2}`]
  return row.kind === 'reserve'
    ? {
        text: `INSERT INTO stock_reservations (order_id, menu_id, quantity, status)
               SELECT ${order}::varchar, ${menu}::int, ${quantity}::int, 'RESERVED' FROM moved`,
        values: [row.orderId, row.menuId, row.quantity],
      }
    : {
        text: `UPDATE stock_reservations SET status = 'RESTORED', restored_at = now()
               FROM moved WHERE order_id = ${order} AND menu_id = ${menu}`,
        values: [row.orderId, row.menuId],
      }
}

/**
 * The strategy's move and its ledger row in one statement, one round trip: the row is written
 * only when the move applied, and a unique violation (a twin reserve recorded first) fails both.
 * The new stock, or `undefined` when the move did not apply.
 */
export async function moveWithLedgerRow(
  client: pg.PoolClient,
  move: pg.QueryConfig,
  row: LedgerRow,
): Promise<number | undefined> {
  const moveValues = move.values ?? []
  const ledger = ledgerWrite(row, moveValues.length + 1)
  const { rows } = await client.query<{ stock: number }>(
    `WITH moved AS (${move.text}), ledger AS (${ledger.text}) SELECT stock FROM moved`,
    [...moveValues, ...(ledger.values ?? [])],
  )
  return rows[0]?.stock
}
