import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { startRestaurantService } from '@food/restaurant-service/test-service'
import { startTestService } from '@food/testing'
import { startUserService } from '@food/user-service/test-service'
import { buildApp } from '../../src/app.ts'
import { loadOrderConfig } from '../../src/config.ts'

export { errorBody } from '@food/testing'

export type TestFleet = Awaited<ReturnType<typeof startFleet>>

/**
 * The three real services on free ports, each with its own database, talking over real HTTP.
 * The recoverer does not run by itself here: tests call `order.app.recoverer.runOnce()`.
 */
export async function startFleet(orderEnv: Record<string, string> = {}, restaurantEnv: Record<string, string> = {}) {
  const [user, restaurant] = await Promise.all([startUserService(), startRestaurantService(restaurantEnv)])
  const order = await startTestService({
    name: 'order',
    loadConfig: loadOrderConfig,
    buildApp,
    env: {
      USER_SERVICE_URL: user.baseUrl,
      RESTAURANT_SERVICE_URL: restaurant.baseUrl,
      RECOVERY_ENABLED: 'false',
      RELEASE_BACKOFF_MS: '10',
      ...orderEnv,
    },
  })

  /** A signed-up user's Authorization header. */
  const login = async () => {
    const { token, id } = await user.createUser()
    return { userId: id, headers: { authorization: `Bearer ${token}` } }
  }

  const placeOrder = (
    headers: Record<string, string>,
    items: { menu_id: number; quantity: number }[],
    extra: Record<string, string> = {},
  ) =>
    order.call('POST', '/orders', {
      headers: { ...headers, ...extra },
      json: { items, address: '서울 강남구 테헤란로 1', phone: '010-1234-5678' },
    })

  return {
    user,
    restaurant,
    order,
    login,
    placeOrder,
    close: async () => {
      await order.close()
      await Promise.all([user.close(), restaurant.close()])
    },
  }
}

const run = promisify(execFile)

/**
 * Loads the dev data `npm start` seeds (the user `user`/`pass`; five restaurants, twenty menus,
 * menu 1 김치찌개, 100 of each) into a test fleet's databases, with the services' own seed scripts.
 */
export async function seedDevData(fleet: TestFleet): Promise<void> {
  const seed = (service: string, databaseUrl: string) =>
    run(process.execPath, ['--import', 'tsx', 'prisma/seed.ts'], {
      cwd: fileURLToPath(new URL(`../../../${service}`, import.meta.url)),
      env: { ...process.env, DATABASE_URL: databaseUrl },
    })
  await Promise.all([seed('user', fleet.user.databaseUrl), seed('restaurant', fleet.restaurant.databaseUrl)])
}
