import { httpClientPlugin } from '@food/http-client'
import { createFleetService, type FleetInstance } from '@food/service-kit'
import { OrderCache } from './cache/order-cache.ts'
import { paymentFailFault, restoreFailFault } from './chaos-faults.ts'
import { RestaurantClient } from './clients/restaurant-client.ts'
import { UserClient } from './clients/user-client.ts'
import type { OrderConfig } from './config.ts'
import { OrderRepository } from './db/order-repository.ts'
import { OrderView } from './domain/order.ts'
import { callerAuthPlugin } from './plugins/caller-auth.ts'
import { orderRoutes } from './routes/orders.ts'
import { CancelOrder } from './saga/cancel-order.ts'
import { createSagaInstruments } from './saga/instruments.ts'
import { OrderTransitions } from './saga/order-transitions.ts'
import { PlaceOrder } from './saga/place-order.ts'
import { Recoverer } from './saga/recoverer.ts'
import { sagaStepRunner } from './saga/saga-step.ts'
import { StockRelease } from './saga/stock-release.ts'

/** Builds the order service, ready to `listen` or `inject`; no port is opened here. */
export async function buildApp(config: OrderConfig): Promise<FleetInstance & { recoverer: Recoverer }> {
  const app = await createFleetService({
    name: 'order',
    config,
    docs: {
      title: 'Order service',
      description: 'The order saga across the user and restaurant services, with compensation and recovery.',
      version: '0.1.0',
      tags: [{ name: 'orders', description: 'Orders of the caller (Bearer token)' }],
    },
    chaos: { faults: [paymentFailFault, restoreFailFault] },
  })

  await app.register(httpClientPlugin)
  const connectTimeoutMs = config.CONNECT_TIMEOUT_MS
  const userHttp = app.serviceClient({
    name: 'user',
    baseUrl: config.USER_SERVICE_URL,
    connectTimeoutMs,
    requestTimeoutMs: config.USER_TIMEOUT_MS,
  })
  const restaurantHttp = app.serviceClient({
    name: 'restaurant',
    baseUrl: config.RESTAURANT_SERVICE_URL,
    connectTimeoutMs,
    requestTimeoutMs: config.RESTAURANT_TIMEOUT_MS,
  })

  const instruments = createSagaInstruments(app.metrics.registry)
  const orders = new OrderRepository(app.pg)
  const cache = new OrderCache(app.createCache({ name: 'order', ttlSeconds: config.ORDER_CACHE_TTL_S }), orders)
  const transitions = new OrderTransitions(orders, cache, instruments)
  const restaurant = new RestaurantClient(restaurantHttp, config.SERVICE_TOKEN)
  const step = sagaStepRunner(instruments.stepDuration)
  const release = new StockRelease({
    restaurant,
    transitions,
    restoreFailsByChaos: () => app.chaos.strikes(restoreFailFault.name),
    attempts: config.RELEASE_ATTEMPTS,
    backoffMs: config.RELEASE_BACKOFF_MS,
    step,
    instruments,
    log: app.log,
  })
  const placeOrder = new PlaceOrder({
    orders,
    restaurant,
    transitions,
    release,
    paymentFails: () => app.chaos.strikes(paymentFailFault.name),
    step,
    log: app.log,
  })
  const recoverer = new Recoverer({
    transitions,
    release,
    pendingTimeoutSeconds: config.PENDING_TIMEOUT_S,
    intervalMs: config.RECOVERY_INTERVAL_MS,
    instruments,
    log: app.log,
  })
  if (config.RECOVERY_ENABLED) {
    app.addHook('onReady', async () => recoverer.start())
    app.addHook('preClose', () => recoverer.stop())
  }

  app.addSchema(OrderView)
  await app.register(callerAuthPlugin, { users: new UserClient(userHttp) })
  await app.register(orderRoutes, {
    orders,
    cache,
    placeOrder,
    cancelOrder: new CancelOrder(orders, transitions, release),
  })
  return Object.assign(app, { recoverer })
}
