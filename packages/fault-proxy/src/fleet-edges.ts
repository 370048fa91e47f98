/**
 * The fleet's edges, each a proxy of its own: one service to another, each service to its
 * PostgreSQL and to its Redis. Named `<from>-<to>`; each listens on its own loopback port (the
 * upstream service's port + 20000; 2500N to PostgreSQL and 2600N to Redis, N the calling
 * service's digit), and its upstream is the real address. The launcher asks the proxy where each
 * edge listens (GET /proxies) and points each service's URLs at its edges.
 */
export const EDGE_PORTS = {
  'order-user': 28001,
  'order-restaurant': 28002,
  'user-postgres': 25001,
  'restaurant-postgres': 25002,
  'order-postgres': 25003,
  'user-redis': 26001,
  'restaurant-redis': 26002,
  'order-redis': 26003,
} as const

export type EdgeName = keyof typeof EDGE_PORTS
export const EDGE_NAMES = Object.keys(EDGE_PORTS) as EdgeName[]

/** Where the fleet's parts really listen, host:port each. */
export interface FleetAddresses {
  user: string
  restaurant: string
  postgres: string
  redis: string
}

/** The upstream of each edge, from where the fleet's parts really listen (host:port each). */
export function fleetEdges(addresses: FleetAddresses, host = '127.0.0.1') {
  const upstreamOf = (name: EdgeName) => {
    const to = name.slice(name.indexOf('-') + 1) as keyof FleetAddresses
    return addresses[to]
  }
  return EDGE_NAMES.map((name) => ({ name, listen: `${host}:${EDGE_PORTS[name]}`, upstream: upstreamOf(name) }))
}
