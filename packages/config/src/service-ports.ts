/**
 * Where each service of the fleet listens unless told (PORT): the original sample's ports, kept
 * by npm start, the compose stack's containers and the load runner alike. scripts/lib.mjs, which
 * runs before anything is installed, keeps its own copy; a test holds it to this one.
 */
export const SERVICE_PORTS = { user: 8001, restaurant: 8002, order: 8003 } as const

export type FleetService = keyof typeof SERVICE_PORTS

/** The fleet's services, in the order a request meets them: the one list every tool iterates. */
export const FLEET_SERVICES = ['user', 'restaurant', 'order'] as const satisfies readonly FleetService[]
// Every service of SERVICE_PORTS is in the list: a service added there and not here fails the type check.
const _every: Exclude<FleetService, (typeof FLEET_SERVICES)[number]> extends never ? true : never = true

/** The service on this machine, on its default port. */
export const localServiceUrl = (service: FleetService) => `http://127.0.0.1:${SERVICE_PORTS[service]}`
