import type { FastifyCorsOptions } from '@fastify/cors'

// What a browser client may read of an answer besides the basics.
const EXPOSED_HEADERS = ['X-Request-Id', 'X-Trace-Id', 'X-Cache', 'Retry-After', 'Idempotent-Replayed']

/** Every route is open to every origin, as in the original sample (its web front end may be served anywhere). */
const OPEN: FastifyCorsOptions = {
  origin: '*',
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
  exposedHeaders: EXPOSED_HEADERS,
  maxAge: 600,
  // An OPTIONS request that is not a preflight is answered like any other, not with a text 400.
  strictPreflight: false,
}

/**
 * …except the chaos switches: on loopback they need no token, so a page on any site the user
 * visits could otherwise flip them on their fleet. Refusing the preflight stops the browser
 * before the request is sent (a 404, as for any route that does not answer OPTIONS).
 */
const CLOSED: FastifyCorsOptions = { origin: false }

/** The CORS options for a request, by its path (a preflight names the path it is for). */
export const corsPolicy = (url: string): FastifyCorsOptions =>
  url === '/chaos' || url.startsWith('/chaos/') || url.startsWith('/chaos?') ? CLOSED : OPEN
