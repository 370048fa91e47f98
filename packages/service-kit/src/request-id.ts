import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * What a caller's X-Request-Id may be: short, and only characters that cannot bend a log line or
 * a header (the gateway applies the same rule). Anything else is replaced, not trusted.
 */
const CALLER_REQUEST_ID = /^[A-Za-z0-9._:+=/-]{1,128}$/

/** The request's id: the caller's X-Request-Id when it is well formed, else a new UUID. */
export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers['x-request-id']
  return typeof given === 'string' && CALLER_REQUEST_ID.test(given) ? given : randomUUID()
}
