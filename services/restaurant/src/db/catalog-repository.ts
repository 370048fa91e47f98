import type pg from 'pg'
import { type MenuRecord, type MenuView, type RestaurantView, toMenuView, toRestaurantView } from '../domain/catalog.ts'

// Plain SQL on the service's pool: the Prisma client cost about 40 MB of memory per service
// (see Performance). Prisma keeps the schema; the migrations are checked against it.
export const MENU_ROW = `id, restaurant_id AS "restaurantId", name, description, price, stock, image_url AS "imageUrl",
  created_at AS "createdAt"`
const RESTAURANT_ROW = 'id, name, category, address, phone, description, created_at AS "createdAt"'

type RestaurantRow = Omit<Parameters<typeof toRestaurantView>[0], 'menus'>

/** A restaurant to add, without its menus (db/inventory adds those). */
export type NewRestaurant = Omit<RestaurantRow, 'id' | 'createdAt'>

/**
 * Reads restaurants and menus, and is the one writer of `restaurants` (only the dev seed adds
 * one); every write to `menus` (a new menu, a stock change) goes through db/inventory.
 */
export class CatalogRepository {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  /** The new restaurant's id. */
  async addRestaurant(restaurant: NewRestaurant): Promise<number> {
    const { rows } = await this.#pool.query<{ id: number }>(
      'INSERT INTO restaurants (name, category, address, phone, description) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [restaurant.name, restaurant.category, restaurant.address, restaurant.phone, restaurant.description],
    )
    const [added] = rows
    if (!added) throw new Error('INSERT … RETURNING returned no row')
    return added.id
  }

  async listMenus(restaurantId?: number): Promise<MenuView[]> {
    const { rows } =
      restaurantId === undefined
        ? await this.#pool.query<MenuRecord>(`SELECT ${MENU_ROW} FROM menus ORDER BY id`)
        : await this.#pool.query<MenuRecord>(`SELECT ${MENU_ROW} FROM menus WHERE restaurant_id = $1 ORDER BY id`, [
            restaurantId,
          ])
    return rows.map(toMenuView)
  }

  async findMenu(id: number): Promise<MenuView | undefined> {
    const { rows } = await this.#pool.query<MenuRecord>(`SELECT ${MENU_ROW} FROM menus WHERE id = $1`, [id])
    return rows[0] && toMenuView(rows[0])
  }

  async listRestaurants(): Promise<RestaurantView[]> {
    const { rows } = await this.#pool.query<RestaurantRow>(`SELECT ${RESTAURANT_ROW} FROM restaurants ORDER BY id`)
    return this.#withMenus(rows)
  }

  async findRestaurant(id: number): Promise<RestaurantView | undefined> {
    const { rows } = await this.#pool.query<RestaurantRow>(`SELECT ${RESTAURANT_ROW} FROM restaurants WHERE id = $1`, [
      id,
    ])
    return (await this.#withMenus(rows))[0]
  }

  async #withMenus(restaurants: RestaurantRow[]): Promise<RestaurantView[]> {
    if (restaurants.length === 0) return []
    const { rows } = await this.#pool.query<MenuRecord>(
      `SELECT ${MENU_ROW} FROM menus WHERE restaurant_id = ANY($1) ORDER BY id`,
      [restaurants.map((restaurant) => restaurant.id)],
    )
    return restaurants.map((restaurant) =>
      toRestaurantView({ ...restaurant, menus: rows.filter((menu) => menu.restaurantId === restaurant.id) }),
    )
  }
}
