import { parseAllowedHosts, refusalOf } from '@food/chaos'
import { errorBody } from '@food/errors'
import type { FastifyInstance } from 'fastify'

export interface RequestGuardOptions {
  /** ALLOWED_HOSTS, as configured. */
  allowedHosts: string
  /**
   * The paths whose changes must come from the lab's own pages (all when left out): the services'
   * other routes are open to every origin (CORS `*`, as the original's), their chaos switches not.
   */
  originChecked?: (path: string) => boolean
}

/**
 * Refuses, 403 in the fleet's error shape, what a web page could send to a server on loopback
 * that needs no token: a rebound Host (HOST_NOT_ALLOWED) and another site's change
 * (ORIGIN_NOT_ALLOWED). The rule: @food/fault-proxy's request-guard.ts.
 */
export function guardRequests(app: FastifyInstance, options: RequestGuardOptions): void {
  const allowed = parseAllowedHosts(options.allowedHosts)
  const { originChecked } = options
  app.addHook('onRequest', async (request, reply) => {
    const path = request.routeOptions.url ?? request.url.split('?')[0] ?? '/'
    const origin = !originChecked || originChecked(path) ? request.headers.origin : undefined
    const refusal = refusalOf({ method: request.method, host: request.headers.host, origin }, allowed)
    if (refusal) return reply.code(403).send(errorBody(refusal.code, refusal.message))
  })
}
