import { withTransaction } from '@food/postgres'
import type pg from 'pg'
import {
  LOAD_KITCHEN,
  type MenuRecord,
  type MenuView,
  type RestaurantView,
  toMenuView,
  toRestaurantView,
} from '../domain/catalog.ts'

// Plain SQL on the service's pool: the Prisma client cost about 40 MB of memory per service
// (see Performance). Prisma keeps the schema; the migrations are checked against it.
export const MENU_ROW = `id, restaurant_id AS "restaurantId", name, description, price, stock, image_url AS "imageUrl",
  created_at AS "createdAt"`
const RESTAURANT_ROW = 'id, name, category, address, phone, description, created_at AS "createdAt"'

type RestaurantRow = Omit<Parameters<typeof toRestaurantView>[0], 'menus'>

/** A restaurant to add, without its menus (db/inventory adds those). */
export type NewRestaurant = Omit<RestaurantRow, 'id' | 'createdAt'>

/** Serialises the load kitchen's find-or-create (any constant key of the fleet's own). */
const LOAD_KITCHEN_LOCK = 0x10ad_c0de

/**
 * Reads restaurants and menus, and is the one writer of `restaurants` (the dev seed adds them,
 * the load runs their kitchen); every write to `menus` (a new menu, a stock change) goes through db/inventory.
 */
export class CatalogRepository {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  /** The new restaurant's id. */
  addRestaurant(restaurant: NewRestaurant): Promise<number> {
    return this.#insertRestaurant(this.#pool, restaurant)
  }

  async #insertRestaurant(db: pg.Pool | pg.PoolClient, restaurant: NewRestaurant): Promise<number> {
    const { rows } = await db.query<{ id: number }>(
      'INSERT INTO restaurants (name, category, address, phone, description) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [restaurant.name, restaurant.category, restaurant.address, restaurant.phone, restaurant.description],
    )
    const [added] = rows
    if (!added) throw new Error('INSERT … RETURNING returned no row')
    return added.id
  }

  /** The load kitchen's id, made the first time it is asked for (two runs at once make one). */
  loadKitchen(): Promise<number> {
    return withTransaction(this.#pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOAD_KITCHEN_LOCK])
      const { rows } = await client.query<{ id: number }>(
        'SELECT id FROM restaurants WHERE category = $1 ORDER BY id LIMIT 1',
        [LOAD_KITCHEN.category],
      )
      return rows[0]?.id ?? this.#insertRestaurant(client, LOAD_KITCHEN)
    })
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
