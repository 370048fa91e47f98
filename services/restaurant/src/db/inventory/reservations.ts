import type pg from 'pg'
import type { Reservation } from '../../domain/inventory.ts'

export async function readReservation(
  client: pg.PoolClient,
  orderId: string,
  menuId: number,
  options: { forUpdate: boolean },
): Promise<Reservation | undefined> {
  const { rows } = await client.query<Reservation>(
    `SELECT quantity, status FROM stock_reservations WHERE order_id = $1 AND menu_id = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId, menuId],
  )
  return rows[0]
}

/**
 * A restore's VOID mark for an order that never reserved: nothing moves, and a reserve of it still
 * in flight is refused when it arrives. Fails with a unique violation when a concurrent
 * transaction recorded the same (order, menu) first.
 */
export async function insertVoidMark(
  client: pg.PoolClient,
  mark: { orderId: string; menuId: number; quantity: number },
): Promise<void> {
  await client.query(
    `INSERT INTO stock_reservations (order_id, menu_id, quantity, status, restored_at)
     VALUES ($1, $2, $3, 'VOID', now())`,
    [mark.orderId, mark.menuId, mark.quantity],
  )
}

export interface StockLedger {
  menuId: number
  stock: number
  reservedUnits: number
  restoredUnits: number
  openReservations: number
}

/** Stock beside what orders hold: `stock + reserved_units` stays constant while only orders move it. */
export async function readLedger(pool: pg.Pool, menuId: number): Promise<StockLedger | undefined> {
  const { rows } = await pool.query<{ stock: number; reserved: string; restored: string; open: string }>(
    `SELECT m.stock,
            COALESCE(SUM(r.quantity) FILTER (WHERE r.status = 'RESERVED'), 0) AS reserved,
            COALESCE(SUM(r.quantity) FILTER (WHERE r.status = 'RESTORED'), 0) AS restored,
            COUNT(r.*) FILTER (WHERE r.status = 'RESERVED') AS open
     FROM menus m LEFT JOIN stock_reservations r ON r.menu_id = m.id
     WHERE m.id = $1 GROUP BY m.id`,
    [menuId],
  )
  const row = rows[0]
  return (
    row && {
      menuId,
      stock: row.stock,
      reservedUnits: Number(row.reserved),
      restoredUnits: Number(row.restored),
      openReservations: Number(row.open),
    }
  )
}
