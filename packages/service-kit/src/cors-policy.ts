import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Read by @fastify/cors: `false` leaves the route's answers without CORS headers. */
    cors?: false
  }
}

// What a browser client may read of an answer besides the basics.
const EXPOSED_HEADERS = ['X-Request-Id', 'X-Trace-Id', 'X-Cache', 'Retry-After', 'Idempotent-Replayed']

/** The chaos switches' paths: `/chaos` and below. */
export const isChaosPath = (url: string) => url === '/chaos' || url.startsWith('/chaos/')

/**
 * Every route is open to every origin, as in the original sample (its web front end may be
 * served anywhere), except the chaos switches: on loopback they need no token, so a page on any
 * site the user visits could otherwise flip them on their fleet. Their preflight is answered
 * 404 without CORS headers, so the browser stops before sending the change. The options are
 * fixed (no per-request delegate: that cost 3% of a cached read).
 */
export async function registerCors(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    if (isChaosPath(route.url)) route.config = { ...route.config, cors: false }
  })
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    // An OPTIONS request that is not a preflight is answered like any other, not with a text 400.
    strictPreflight: false,
  })
  for (const url of ['/chaos', '/chaos/*']) {
    app.options(url, { schema: { hide: true } }, (_request, reply) => reply.callNotFound())
  }
}
