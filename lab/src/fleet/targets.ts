/**
 * Where the lab sends load and faults: the fleet's URLs, on this machine only
 * (docs/load-testing.md#the-seven-load-experiments).
 */
import { isLoopback as isLoopbackHost, localServiceUrl } from '@food/config'
export interface Targets {
  user: string
  restaurant: string
  order: string
  /** The restaurant itself, for its internal routes (menu creation), which no gateway forwards. */
  restaurantInternal: string
}

export const LOCAL_TARGETS: Targets = {
  user: localServiceUrl('user'),
  restaurant: localServiceUrl('restaurant'),
  order: localServiceUrl('order'),
  restaurantInternal: localServiceUrl('restaurant'),
}

/**
 * Through the NGINX gateway, as the experiment's configuration reads it from the environment: the
 * original sample's prefixes, stripped by the gateway; the restaurant's internal routes, which the
 * gateway refuses, straight to the service.
 */
export const gatewayEnvironment = (gateway: string, env: NodeJS.ProcessEnv = process.env) => ({
  USER_URL: `${gateway}/api/users`,
  RESTAURANT_URL: `${gateway}/api/restaurants`,
  ORDER_URL: `${gateway}/api/orders`,
  RESTAURANT_INTERNAL_URL: env.RESTAURANT_INTERNAL_URL ?? LOCAL_TARGETS.restaurantInternal,
})

/** Whether a URL names this machine (the only one load and faults may go to): @food/config's rule on its host. */
export const isLoopback = (url: string) => {
  try {
    return isLoopbackHost(new URL(url).hostname)
  } catch {
    return false
  }
}

/** Load goes to this machine only: anything else is refused before a request is sent. */
export function assertLoopback(targets: Targets): void {
  for (const url of Object.values(targets)) {
    if (!isLoopback(url)) throw new Error(`refusing to send load to ${url}: only 127.0.0.1/localhost are allowed`)
  }
}
