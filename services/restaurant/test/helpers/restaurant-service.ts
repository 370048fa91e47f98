import { serviceAuthorization } from '@food/service-auth'
import { type CallOptions, startTestService } from '@food/testing'
import pg from 'pg'
import { buildApp } from '../../src/app.ts'
import { loadRestaurantConfig } from '../../src/config.ts'

export { errorBody } from '@food/testing'

export type TestRestaurantService = Awaited<ReturnType<typeof startRestaurantService>>

/** The real restaurant service on a free port, with its own database and Redis prefix. */
export async function startRestaurantService(env: Record<string, string> = {}) {
  const started = await startTestService({ name: 'restaurant', loadConfig: loadRestaurantConfig, buildApp, env })
  // Tests call the internal routes as the order service does, with the service token; a test
  // that sends its own Authorization header (none, or a wrong one) is answered as such a caller.
  const credential = serviceAuthorization(started.config.SERVICE_TOKEN)
  const isInternal = (method: string, path: string) =>
    (method === 'PUT' && path.startsWith('/inventory/')) ||
    (method === 'POST' && ['/menus', '/inventory/restock', '/restaurants/load-kitchen'].includes(path))
  const service = {
    ...started,
    call: (method: string, path: string, init: CallOptions = {}) =>
      started.call(method, path, {
        ...init,
        headers: isInternal(method, path) ? { ...credential, ...init.headers } : init.headers,
      }),
  }
  const pool = new pg.Pool({ connectionString: service.databaseUrl, max: 2 })
  // Its idle connections are ended by the database's drop at teardown if they are slow to close.
  pool.on('error', () => {})

  /** A restaurant with one menu holding `stock` units, written straight to the database. */
  const createMenu = async (stock: number, price = 9000) => {
    const { rows } = await pool.query<{ id: number; restaurant_id: number }>(
      `WITH r AS (INSERT INTO restaurants (name, category, address) VALUES ('Test', 'korean', 'Seoul') RETURNING id)
       INSERT INTO menus (restaurant_id, name, price, stock) SELECT id, 'Test menu', $2, $1 FROM r
       RETURNING id, restaurant_id`,
      [stock, price],
    )
    const menu = rows[0]
    if (!menu) throw new Error('menu not created')
    return { id: menu.id, restaurantId: menu.restaurant_id }
  }

  const changeStock = (menuId: number, operation: 'reserve' | 'restore', orderId: string, quantity = 1) =>
    service.call('PUT', `/inventory/${menuId}`, { json: { order_id: orderId, quantity, operation } })

  const ledger = async (menuId: number) => (await service.call('GET', `/inventory/${menuId}`)).body

  return {
    ...service,
    pool,
    createMenu,
    reserve: (menuId: number, orderId: string, quantity = 1) => changeStock(menuId, 'reserve', orderId, quantity),
    restore: (menuId: number, orderId: string, quantity = 1) => changeStock(menuId, 'restore', orderId, quantity),
    ledger,
    close: async () => {
      await pool.end()
      await service.close()
    },
  }
}
