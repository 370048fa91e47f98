import { HttpUrl, loadServiceConfig, localServiceUrl, SERVICE_PORTS, serviceEnv, serviceTokenEnv } from '@food/config'
import { type Static, Type } from '@sinclair/typebox'

const Millis = (fallback: number) => Type.Integer({ default: fallback, minimum: 1, maximum: 600_000 })

export const OrderConfigSchema = Type.Object({
  ...serviceEnv({ port: SERVICE_PORTS.order, redisKeyPrefix: 'order:' }),
  /** The credential of the restaurant's internal routes (stock changes, menu creation). */
  ...serviceTokenEnv(),
  USER_SERVICE_URL: HttpUrl({ default: localServiceUrl('user') }),
  RESTAURANT_SERVICE_URL: HttpUrl({ default: localServiceUrl('restaurant') }),
  CONNECT_TIMEOUT_MS: Millis(500),
  /** Shorter than the original sample's 2 s user delay, so that experiment fails fast instead of hanging. */
  USER_TIMEOUT_MS: Millis(1000),
  /** Longer than the original sample's 3 s inventory delay: a slow restaurant is waited for, a dead one is not. */
  RESTAURANT_TIMEOUT_MS: Millis(5000),
  ORDER_CACHE_TTL_S: Type.Integer({ default: 300, minimum: 1, maximum: 86_400 }),
  /** A PENDING order untouched this long is taken to be abandoned (its process died) and undone. */
  PENDING_TIMEOUT_S: Type.Integer({ default: 30, minimum: 1, maximum: 86_400 }),
  RECOVERY_ENABLED: Type.Boolean({ default: true }),
  RECOVERY_INTERVAL_MS: Millis(5000),
  /**
   * Restores tried in the request before the recoverer takes over (with backoff): one, so a
   * restaurant that is down costs a failing order one timeout, not one per retry.
   */
  RELEASE_ATTEMPTS: Type.Integer({ default: 1, minimum: 1, maximum: 20 }),
  RELEASE_BACKOFF_MS: Millis(100),
})

export type OrderConfig = Static<typeof OrderConfigSchema>

export const loadOrderConfig = (env: NodeJS.ProcessEnv = process.env): OrderConfig =>
  loadServiceConfig(OrderConfigSchema, env)
