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

/** The fleet on this machine, each service where USER_URL, RESTAURANT_URL, ORDER_URL say, else its port. */
export const targetsFromEnv = (env: NodeJS.ProcessEnv = process.env): Targets => ({
  user: env.USER_URL ?? LOCAL_TARGETS.user,
  restaurant: env.RESTAURANT_URL ?? LOCAL_TARGETS.restaurant,
  order: env.ORDER_URL ?? LOCAL_TARGETS.order,
  restaurantInternal: env.RESTAURANT_URL ?? LOCAL_TARGETS.restaurantInternal,
})

/** Through the NGINX gateway: the original sample's prefixes, stripped by the gateway. */
export const gatewayTargets = (gateway: string): Targets => ({
  user: `${gateway}/api/users`,
  restaurant: `${gateway}/api/restaurants`,
  order: `${gateway}/api/orders`,
  restaurantInternal: LOCAL_TARGETS.restaurantInternal,
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
