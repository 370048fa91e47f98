/**
 * The fleet's edges, each a proxy of its own: one service to another, each service to its
 * PostgreSQL and to its Redis, and the gateway to each service. Named `<from>-<to>`; each listens
 * on its own port (the upstream service's port + 20000 from order, + 19000 from the gateway;
 * 2500N to PostgreSQL and 2600N to Redis, N the calling service's digit), and its upstream is the
 * real address. The launcher (or compose) points each caller's URLs at its edges.
 *
 * `plane`: the service whose chaos plane shows and switches the edge (`GET /chaos`,
 * `/chaos/network/{edge}`): the caller's, and for the gateway's edges, the service behind it, the
 * gateway having no chaos plane of its own.
 */
export const EDGES = {
  'gateway-user': { port: 27001, plane: 'user' },
  'gateway-restaurant': { port: 27002, plane: 'restaurant' },
  'gateway-order': { port: 27003, plane: 'order' },
  'order-user': { port: 28001, plane: 'order' },
  'order-restaurant': { port: 28002, plane: 'order' },
  'user-postgres': { port: 25001, plane: 'user' },
  'restaurant-postgres': { port: 25002, plane: 'restaurant' },
  'order-postgres': { port: 25003, plane: 'order' },
  'user-redis': { port: 26001, plane: 'user' },
  'restaurant-redis': { port: 26002, plane: 'restaurant' },
  'order-redis': { port: 26003, plane: 'order' },
} as const

export type EdgeName = keyof typeof EDGES
export const EDGE_NAMES = Object.keys(EDGES) as EdgeName[]

/** The edges a service's chaos plane switches. */
export const edgesSwitchedBy = (service: string): EdgeName[] =>
  EDGE_NAMES.filter((edge) => EDGES[edge].plane === service)

/** Where the fleet's parts really listen, host:port each. */
export interface FleetAddresses {
  user: string
  restaurant: string
  order: string
  postgres: string
  redis: string
}

/** The upstream of each edge, from where the fleet's parts really listen (host:port each). */
export function fleetEdges(addresses: FleetAddresses, host = '127.0.0.1') {
  const upstreamOf = (name: EdgeName) => {
    const to = name.slice(name.indexOf('-') + 1) as keyof FleetAddresses
    return addresses[to]
  }
  return EDGE_NAMES.map((name) => ({ name, listen: `${host}:${EDGES[name].port}`, upstream: upstreamOf(name) }))
}
