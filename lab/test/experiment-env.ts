import type { Targets } from '../src/fleet/targets.ts'

/**
 * An experiment's configuration for a test's own fleet: every plane the runner reaches is the
 * test's, or a port where nothing listens, never the defaults (127.0.0.1:8474 and :8475), where
 * the fleet `npm start` runs may be listening (a run reset that fleet's faults, #36).
 */
interface TestServices {
  user: { baseUrl: string }
  restaurant: { baseUrl: string }
  order: { baseUrl: string }
}

/** The fleet's targets for a FleetClient: each service's address, the restaurant's internal routes at its own. */
export const fleetTargets = (fleet: TestServices): Targets => ({
  user: fleet.user.baseUrl,
  restaurant: fleet.restaurant.baseUrl,
  order: fleet.order.baseUrl,
  restaurantInternal: fleet.restaurant.baseUrl,
})

/** Port 9, discard: nothing listens there, so a plane the test's fleet lacks is seen as absent. */
export const NO_SERVER = 'http://127.0.0.1:9'

export function experimentEnv(
  fleet: TestServices,
  planes: {
    toxiproxy?: string | undefined
    engine?: string | undefined
    prometheus?: string | undefined
    alertmanager?: string | undefined
    /** The port where the run receives Alertmanager's notifications: none by default, never npm start's 9095. */
    webhookPort?: number | undefined
    traceStore?: string | undefined
  } = {},
): Record<string, string> {
  return {
    USER_URL: fleet.user.baseUrl,
    RESTAURANT_URL: fleet.restaurant.baseUrl,
    ORDER_URL: fleet.order.baseUrl,
    TOXIPROXY_URL: planes.toxiproxy ?? NO_SERVER,
    FLEET_ENGINE_URL: planes.engine ?? NO_SERVER,
    PROMETHEUS_URL: planes.prometheus ?? NO_SERVER,
    ALERTMANAGER_URL: planes.alertmanager ?? NO_SERVER,
    ALERT_WEBHOOK_PORT: planes.webhookPort === undefined ? 'off' : String(planes.webhookPort),
    TRACE_STORE_URL: planes.traceStore ?? NO_SERVER,
  }
}
