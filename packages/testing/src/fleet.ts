import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { CallOptions, CallResult } from './test-service.ts'

/** What the fleet uses of a started test service (see `startTestService`). */
export interface FleetMember {
  baseUrl: string
  databaseUrl: string
  call(method: string, path: string, init?: CallOptions): Promise<CallResult>
  close(): Promise<void>
}

/** The user service also signs users up and logs them in. */
export interface FleetUserMember extends FleetMember {
  createUser(): Promise<{ id: number; token: string }>
}

/**
 * How each service is started for a test. Packages cannot import services (they are the floor
 * below), so each service's test starter is handed in: see `@food/order-service/test-fleet`.
 */
export interface FleetStarters<
  User extends FleetUserMember,
  Restaurant extends FleetMember,
  Order extends FleetMember,
> {
  user: () => Promise<User>
  restaurant: (env: Record<string, string>) => Promise<Restaurant>
  order: (env: Record<string, string>) => Promise<Order>
}

/**
 * The three real services on free ports, each with its own database, talking over real HTTP.
 * The recoverer does not run by itself here: tests run it (`order.app.recoverer.runOnce()`).
 */
/**
 * The order service's environment, or what makes it from where the other two listen (e.g. their
 * URLs through a fault proxy).
 */
export type OrderEnv =
  | Record<string, string>
  | ((started: { user: { baseUrl: string }; restaurant: { baseUrl: string } }) => Promise<Record<string, string>>)

export async function startFleet<
  User extends FleetUserMember,
  Restaurant extends FleetMember,
  Order extends FleetMember,
>(
  starters: FleetStarters<User, Restaurant, Order>,
  orderEnv: OrderEnv = {},
  restaurantEnv: Record<string, string> = {},
) {
  const [user, restaurant] = await Promise.all([starters.user(), starters.restaurant(restaurantEnv)])
  const order = await starters.order({
    USER_SERVICE_URL: user.baseUrl,
    RESTAURANT_SERVICE_URL: restaurant.baseUrl,
    RECOVERY_ENABLED: 'false',
    RELEASE_BACKOFF_MS: '10',
    ...(typeof orderEnv === 'function' ? await orderEnv({ user, restaurant }) : orderEnv),
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
 * menu 1 김치찌개, 100 of each) into a fleet's databases, with the services' own seed scripts
 * (`prisma/seed.ts` in the directory `serviceDir` names).
 */
export async function seedDevData(
  fleet: { user: FleetMember; restaurant: FleetMember },
  serviceDir: (service: 'user' | 'restaurant') => string,
): Promise<void> {
  const seed = (service: 'user' | 'restaurant', databaseUrl: string) =>
    run(process.execPath, ['--import', 'tsx', 'prisma/seed.ts'], {
      cwd: serviceDir(service),
      env: { ...process.env, DATABASE_URL: databaseUrl },
    })
  await Promise.all([seed('user', fleet.user.databaseUrl), seed('restaurant', fleet.restaurant.databaseUrl)])
}
