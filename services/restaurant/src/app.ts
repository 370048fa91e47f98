import { serviceUnavailable } from '@food/errors'
import { serviceAuthPlugin } from '@food/service-auth'
import { createFleetService, type FleetInstance, Gate } from '@food/service-kit'
import { MenuCache } from './cache/menu-cache.ts'
import { inventoryDelayFault } from './chaos-faults.ts'
import type { RestaurantConfig } from './config.ts'
import { CatalogRepository } from './db/catalog-repository.ts'
import { createInventoryInstruments } from './db/inventory/instruments.ts'
import { InventoryStore } from './db/inventory/inventory-store.ts'
import { LOCK_STRATEGIES_BY_NAME } from './db/inventory/lock-strategy.ts'
import { MenuView, RestaurantView } from './domain/catalog.ts'
import { stockChangeShare } from './domain/inventory.ts'
import { inventoryRoutes } from './routes/inventory.ts'
import { menuRoutes } from './routes/menus.ts'
import { restaurantRoutes } from './routes/restaurants.ts'

/** Builds the restaurant service, ready to `listen` or `inject`; no port is opened here. */
export async function buildApp(config: RestaurantConfig): Promise<FleetInstance> {
  const app = await createFleetService({
    name: 'restaurant',
    config,
    docs: {
      title: 'Restaurant service',
      description: 'Restaurants and menus behind a Redis cache; stock changed under a PostgreSQL row lock.',
      version: '0.1.0',
      tags: [
        { name: 'menus', description: 'Menus with their stock (cached)' },
        { name: 'restaurants', description: 'Restaurants with their menus' },
        { name: 'inventory', description: 'Stock reservations for orders' },
      ],
    },
    chaos: {
      faults: [inventoryDelayFault],
      experiment: {
        stock_lock_strategy: config.STOCK_LOCK_STRATEGY,
        menu_cache: config.MENU_CACHE_ENABLED,
        menu_near_cache_entries: config.MENU_CACHE_ENABLED ? config.MENU_NEAR_CACHE_ENTRIES : 0,
      },
    },
  })

  await app.register(serviceAuthPlugin, { token: config.SERVICE_TOKEN })
  const catalog = new CatalogRepository(app.pg)
  const menus = new MenuCache(
    catalog,
    config.MENU_CACHE_ENABLED
      ? {
          list: app.createCache({
            name: 'menu_list',
            ttlSeconds: config.MENU_LIST_CACHE_TTL_S,
            nearEntries: config.MENU_NEAR_CACHE_ENTRIES,
          }),
          item: app.createCache({
            name: 'menu',
            ttlSeconds: config.MENU_CACHE_TTL_S,
            nearEntries: config.MENU_NEAR_CACHE_ENTRIES,
          }),
        }
      : undefined,
  )
  const inventory = new InventoryStore(app.pg, {
    strategy: LOCK_STRATEGIES_BY_NAME[config.STOCK_LOCK_STRATEGY],
    maxAttempts: config.STOCK_CHANGE_MAX_ATTEMPTS,
    instruments: createInventoryInstruments(app.metrics.registry, app.pg, config.STOCK_LOCK_STRATEGY),
    changes: new Gate({
      running: stockChangeShare(config.DATABASE_POOL_MAX),
      waiting: 10_000,
      whenFull: () => serviceUnavailable('STOCK_CONTENTION', 'Too many stock changes waiting; try again'),
    }),
    holdLock: () => app.chaos.hold(inventoryDelayFault.name),
  })

  app.addSchema(MenuView)
  app.addSchema(RestaurantView)
  await app.register(menuRoutes, { menus, inventory })
  await app.register(restaurantRoutes, { catalog })
  await app.register(inventoryRoutes, { inventory, menus })
  return app
}
