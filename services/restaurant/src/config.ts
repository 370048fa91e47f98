import { loadServiceConfig, SERVICE_PORTS, serviceEnv, serviceTokenEnv } from '@food/config'
import { type Static, Type } from '@sinclair/typebox'

export const LOCK_STRATEGIES = ['pessimistic', 'optimistic', 'atomic'] as const
/** No lock at all (lost updates): only to show that the load runner catches a broken invariant. */
const UNSAFE_STRATEGY = 'unsafe' as const
export type LockStrategyName = (typeof LOCK_STRATEGIES)[number] | typeof UNSAFE_STRATEGY

export const RestaurantConfigSchema = Type.Object({
  ...serviceEnv({ port: SERVICE_PORTS.restaurant, redisKeyPrefix: 'restaurant:' }),
  /** The credential of the restaurant's internal routes (stock changes, menu creation). */
  ...serviceTokenEnv(),
  /** The experiment variable: how concurrent stock changes are kept from overselling. */
  STOCK_LOCK_STRATEGY: Type.Union(
    [...LOCK_STRATEGIES, UNSAFE_STRATEGY].map((name: LockStrategyName) => Type.Literal(name)),
    { default: 'pessimistic' },
  ),
  ALLOW_UNSAFE_STOCK_STRATEGY: Type.Boolean({ default: false }),
  /** Attempts at a stock change that lost a race (optimistic version check, duplicate request) before 503 STOCK_CONTENTION. */
  STOCK_CHANGE_MAX_ATTEMPTS: Type.Integer({ default: 100, minimum: 1, maximum: 10_000 }),
  MENU_CACHE_ENABLED: Type.Boolean({ default: true }),
  MENU_LIST_CACHE_TTL_S: Type.Integer({ default: 10, minimum: 1, maximum: 86_400 }),
  MENU_CACHE_TTL_S: Type.Integer({ default: 30, minimum: 1, maximum: 86_400 }),
  /** Cached menus a replica also keeps in memory, answered once Redis confirms them current (0: none). */
  MENU_NEAR_CACHE_ENTRIES: Type.Integer({ default: 1000, minimum: 0, maximum: 100_000 }),
})

export type RestaurantConfig = Static<typeof RestaurantConfigSchema>

export const loadRestaurantConfig = (env: NodeJS.ProcessEnv = process.env): RestaurantConfig =>
  loadServiceConfig(RestaurantConfigSchema, env, (config) =>
    config.STOCK_LOCK_STRATEGY === UNSAFE_STRATEGY && !config.ALLOW_UNSAFE_STOCK_STRATEGY
      ? ['STOCK_LOCK_STRATEGY=unsafe loses updates: it needs ALLOW_UNSAFE_STOCK_STRATEGY=true (tests only)']
      : [],
  )
