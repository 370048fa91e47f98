import { fileURLToPath } from 'node:url'
import { startRestaurantService } from '@food/restaurant-service/test-service'
import { type OrderEnv, seedDevData as seedFleet, startFleet as startFleetOf, startTestService } from '@food/testing'
import { startUserService } from '@food/user-service/test-service'
import { test } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { loadOrderConfig } from '../../src/config.ts'

export { errorBody } from '@food/testing'

/** The real order service on a free port, with its own database and Redis prefix. */
export const startOrderService = (env: Record<string, string>) =>
  startTestService({ name: 'order', loadConfig: loadOrderConfig, buildApp, env })

/**
 * The whole fleet for a test (`startFleet` of @food/testing, given the three services' starters):
 * the order service depends on the other two, so it is the one that knows all three.
 */
export const startFleet = (orderEnv: OrderEnv = {}, restaurantEnv: Record<string, string> = {}) =>
  startFleetOf(
    { user: startUserService, restaurant: startRestaurantService, order: startOrderService },
    orderEnv,
    restaurantEnv,
  )

export type TestFleet = Awaited<ReturnType<typeof startFleet>>

/** The dev data `npm start` seeds, loaded into a test fleet's databases. */
export const seedDevData = (fleet: TestFleet) =>
  seedFleet(fleet, (service) => fileURLToPath(new URL(`../../../${service}`, import.meta.url)))

/** What a file starts its fleet with, if not the defaults: `fleetTest.override('fleetEnv', …)` at its top. */
export interface FleetEnv {
  order?: OrderEnv
  restaurant?: Record<string, string>
}

/**
 * The fleet as a test fixture, one per file that asks for it: started by the first hook or test
 * that takes `fleet` (a hook gives it the hook's timeout), closed after the file's last test.
 */
export const fleetTest = test
  .extend('fleetEnv', { scope: 'file' }, {} as FleetEnv)
  .extend('fleet', { scope: 'file' }, async ({ fleetEnv }, { onCleanup }) => {
    const fleet = await startFleet(fleetEnv.order, fleetEnv.restaurant)
    onCleanup(() => fleet.close())
    return fleet
  })

/** How long a fleet may take to start, for the hook that first asks for it (not a test's timeout). */
export const FLEET_START_MS = 60_000
