import type { ServerOptions } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import { badRequest, requestTimeout } from '@food/errors'
import type { FastifyInstance } from 'fastify'
import type { BaseServiceConfig } from './base-service-config.ts'

type DeadlineConfig = Pick<
  BaseServiceConfig,
  | 'HTTP_HEADERS_TIMEOUT_MS'
  | 'HTTP_BODY_TIMEOUT_MS'
  | 'HTTP_REQUEST_TIMEOUT_MS'
  | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
  | 'HTTP_MAX_CONNECTIONS'
>

/**
 * Fastify's server options for the headers' and the whole request's deadlines, which Node
 * enforces itself (answered 408 by the client error handler). Node looks for expired
 * connections every `connectionsCheckingInterval` (30 s by default, which would let a 10 s
 * deadline strike at 40 s): a tenth of the headers' deadline, between 100 ms and 1 s.
 */
export function serverDeadlines(config: DeadlineConfig): {
  requestTimeout: number
  keepAliveTimeout: number
  http: ServerOptions
} {
  return {
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 10))),
    },
  }
}

const bodyTimeout = (ms: number) => requestTimeout(`The request body was not received within ${ms} ms`)
const bodyAborted = () => badRequest('BAD_REQUEST', 'The client closed the connection before the body ended')

/**
 * `raw` as a stream that fails with 408 REQUEST_TIMEOUT when the body has not ended `ms` after
 * the call. Fastify's body reader then answers through the error handler (logged, counted, in
 * the fleet's shape) and closes the connection, whose unread rest it cannot trust. A body no one
 * reads any more (the answer went before it, e.g. a refusal) is let go without an error: an
 * error no reader listens for would bring the process down.
 */
export function bodyWithDeadline(raw: Readable, ms: number): Readable {
  const body = new PassThrough()
  const fail = (error: Error) => {
    clearTimeout(timer)
    raw.unpipe(body)
    if (body.listenerCount('error') > 0) body.destroy(error)
    else body.destroy()
  }
  const timer = setTimeout(() => fail(bodyTimeout(ms)), ms)
  raw.once('end', () => clearTimeout(timer))
  raw.once('error', fail)
  raw.once('close', () => {
    if (!raw.readableEnded) fail(bodyAborted())
  })
  body.once('close', () => clearTimeout(timer))
  raw.pipe(body)
  return body
}

/** The deadlines Node does not enforce: the body's, and the cap on connections held at once. */
export function enforceRequestDeadlines(app: FastifyInstance, config: DeadlineConfig): void {
  app.server.maxConnections = config.HTTP_MAX_CONNECTIONS
  app.addHook('preParsing', async (request, reply, payload) => {
    // A body that is all here already (or none) needs no deadline, and no extra stream.
    if (request.raw.complete) return payload
    const body = bodyWithDeadline(payload, config.HTTP_BODY_TIMEOUT_MS)
    // Answered before its body was read: its deadline goes with it.
    reply.raw.once('close', () => body.destroy())
    return body
  })
}
