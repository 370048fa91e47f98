/**
 * The same-work ceiling of an order: one process making exactly the statements and cache operations
 * `POST /orders` makes, with no HTTP, no framework and no hop between services.
 * See docs/performance.md#orders-against-their-same-work-ceiling-and-the-fleet-npm-start-runs.
 */

import { nearestRankPercentile } from '@food/lab/recorder'
import type { MetricsRegistry } from '@food/metrics'
import { loadOrderConfig } from '@food/order-service/config'
import {
  createSagaInstruments,
  OrderCache,
  OrderRepository,
  OrderTransitions,
  totalPrice,
} from '@food/order-service/parts'
import { createCacheInstruments, JsonCache } from '@food/redis'
import { loadRestaurantConfig } from '@food/restaurant-service/config'
import {
  CatalogRepository,
  createInventoryInstruments,
  InventoryStore,
  LOCK_STRATEGIES_BY_NAME,
  MenuCache,
  stockChangeShare,
} from '@food/restaurant-service/parts'
import { Gate } from '@food/service-kit'
import { loadUserConfig } from '@food/user-service/config'
import { ProfileCache, UserRepository } from '@food/user-service/parts'
import { Redis } from 'ioredis'
import pg from 'pg'
import pino from 'pino'
import { Registry } from 'prom-client'
import { benchDatabase, type Figures, REDIS_URL } from './harness.ts'

/** One service's connections, as its plugins open them: a pool of `poolMax` and one auto-pipelined Redis. */
function connections(service: string, poolMax: number) {
  const pool = new pg.Pool({ connectionString: benchDatabase(service), max: poolMax })
  const redis = new Redis(REDIS_URL, {
    keyPrefix: `bench:${process.pid}:ceiling:${service}:`,
    enableAutoPipelining: true,
  })
  const registry: MetricsRegistry = new Registry()
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
  const instruments = createCacheInstruments(registry)
  const log = pino({ level: 'warn' })
  return {
    pool,
    registry,
    cache: (options: ConstructorParameters<typeof JsonCache>[1]) => new JsonCache(redis, options, instruments, log),
    close: async () => {
      redis.disconnect()
      await pool.end()
    },
  }
}

/**
 * The three services' parts an order goes through, on their own connections and settings: each
 * its configuration's defaults, as the services run with none set (the bench sets none). What the
 * fleet adds on top of this (HTTP, validation, serialisation, three processes) is what the ratio to
 * it measures.
 */
export function openOrderWork() {
  const env = { DATABASE_URL: 'postgresql://unused/unused' }
  const userConfig = loadUserConfig(env)
  const restaurantConfig = loadRestaurantConfig(env)
  const orderConfig = loadOrderConfig(env)

  const user = connections('user', userConfig.DATABASE_POOL_MAX)
  const profiles = new ProfileCache(
    user.cache({ name: 'user_profile', ttlSeconds: userConfig.PROFILE_CACHE_TTL_S }),
    new UserRepository(user.pool),
  )

  const restaurant = connections('restaurant', restaurantConfig.DATABASE_POOL_MAX)
  const menus = new MenuCache(new CatalogRepository(restaurant.pool), {
    list: restaurant.cache({
      name: 'menu_list',
      ttlSeconds: restaurantConfig.MENU_LIST_CACHE_TTL_S,
      nearEntries: restaurantConfig.MENU_NEAR_CACHE_ENTRIES,
    }),
    item: restaurant.cache({
      name: 'menu',
      ttlSeconds: restaurantConfig.MENU_CACHE_TTL_S,
      nearEntries: restaurantConfig.MENU_NEAR_CACHE_ENTRIES,
    }),
  })
  const inventory = new InventoryStore(restaurant.pool, {
    strategy: LOCK_STRATEGIES_BY_NAME[restaurantConfig.STOCK_LOCK_STRATEGY],
    maxAttempts: restaurantConfig.STOCK_CHANGE_MAX_ATTEMPTS,
    instruments: createInventoryInstruments(restaurant.registry, restaurant.pool, restaurantConfig.STOCK_LOCK_STRATEGY),
    changes: new Gate({
      running: stockChangeShare(restaurantConfig.DATABASE_POOL_MAX),
      waiting: 10_000,
      whenFull: () => new Error('too many stock changes waiting'),
    }),
    holdLock: async () => {},
  })

  const order = connections('order', orderConfig.DATABASE_POOL_MAX)
  const orders = new OrderRepository(order.pool)
  const transitions = new OrderTransitions(
    orders,
    new OrderCache(order.cache({ name: 'order', ttlSeconds: orderConfig.ORDER_CACHE_TTL_S }), orders),
    createSagaInstruments(order.registry),
  )

  /**
   * One order of one unit of `menuId` for `userId`, as POST /orders places it when all goes well,
   * through the services' own modules on direct connections:
   *   1. the user service's validate: the caller's profile read through its cache;
   *   2. the restaurant's price: the menu read through its cache (near entries, Redis, PostgreSQL);
   *   3. the order stored PENDING with its items;
   *   4. the reserve transaction under the restaurant's locking strategy, with its ledger row, and
   *      the menu's cached keys invalidated;
   *   5. the order moved to reserved, then to confirmed, each move invalidating the order's key.
   */
  const placeOrder = async (userId: number, menuId: number) => {
    const caller = await profiles.get(userId)
    if (!caller) throw new Error(`no user ${userId}`)
    const menu = await menus.get(menuId)
    if (!menu) throw new Error(`no menu ${menuId}`)
    const { name, price } = JSON.parse(menu.value.toString()) as { name: string; price: number }
    const items = [{ menuId, quantity: 1, price, name }]
    const stored = await orders.create({
      userId: caller.value.id,
      address: 'Seoul',
      phone: '010-0000-0000',
      idempotencyKey: null,
      requestHash: null,
      items,
      totalPrice: totalPrice(items),
    })
    const reserved = await inventory.change({ menuId, orderId: String(stored.id), quantity: 1, operation: 'reserve' })
    if (reserved.moved > 0) await menus.invalidateStock(reserved.menuId, reserved.restaurantId)
    if (!(await transitions.move(stored.id, 'reserved'))) throw new Error(`order ${stored.id} not reserved`)
    if (!(await transitions.move(stored.id, 'confirmed'))) throw new Error(`order ${stored.id} not confirmed`)
  }

  return {
    placeOrder,
    close: () => Promise.all([user.close(), restaurant.close(), order.close()]),
  }
}

/**
 * `connections` orders at once for `durationS` seconds (after a one-second warm-up, as the HTTP
 * cases have), each of one unit of the next of `menuIds` in turn, on pools of the size the
 * services' configurations default to.
 */
export async function sameWorkOrders(options: {
  name: string
  userId: number
  menuIds: number[]
  connections: number
  durationS: number
}): Promise<Figures> {
  const work = openOrderWork()
  let sequence = 0
  const run = async (seconds: number) => {
    const latencies: number[] = []
    let errors = 0
    const started = performance.now()
    const deadline = started + seconds * 1000
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now()
          try {
            await work.placeOrder(options.userId, options.menuIds[sequence++ % options.menuIds.length] as number)
          } catch {
            errors++
          }
          latencies.push(performance.now() - t0)
        }
      }),
    )
    return { latencies, errors, elapsedS: (performance.now() - started) / 1000 }
  }
  try {
    await run(1)
    const { latencies, errors, elapsedS } = await run(options.durationS)
    const sorted = latencies.sort((a, b) => a - b)
    return {
      name: options.name,
      rate: latencies.length / elapsedS,
      p50: nearestRankPercentile(sorted, 50),
      p99: nearestRankPercentile(sorted, 99),
      errors,
    }
  } finally {
    await work.close()
  }
}

/** Exactly `count` same-work orders, `connections` at once, on work already open; how many were placed. */
export async function placeOrders(
  work: ReturnType<typeof openOrderWork>,
  options: { userId: number; menuIds: number[]; connections: number; count: number },
): Promise<number> {
  let next = 0
  let placed = 0
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (next < options.count) {
        const index = next++
        await work.placeOrder(options.userId, options.menuIds[index % options.menuIds.length] as number)
        placed++
      }
    }),
  )
  return placed
}
