import type pg from 'pg'
import { type MenuRecord, type MenuView, toMenuView } from '../../domain/catalog.ts'
import { MENU_ROW } from '../catalog-repository.ts'

/** A menu to add, `stock` its opening stock. */
export type NewMenu = Omit<MenuRecord, 'id' | 'createdAt'>

/**
 * The one statement that adds a menu: the InventoryStore's for the service, the dev seed's as it
 * is, without a store's locking strategy, gate and instruments that only stock changes need.
 * The new menu, or `undefined` when there is no such restaurant.
 */
export async function insertMenu(pool: pg.Pool, menu: NewMenu): Promise<MenuView | undefined> {
  const { rows } = await pool.query<MenuRecord>(
    `INSERT INTO menus (restaurant_id, name, description, price, stock, image_url)
     SELECT id, $2, $3, $4, $5, $6 FROM restaurants WHERE id = $1
     RETURNING ${MENU_ROW}`,
    [menu.restaurantId, menu.name, menu.description, menu.price, menu.stock, menu.imageUrl],
  )
  return rows[0] && toMenuView(rows[0])
}
