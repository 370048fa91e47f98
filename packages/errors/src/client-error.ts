import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { errorBody } from './error-schema.ts'
import { toErrorResponse } from './to-error-response.ts'

// Node answers these before a request exists (no route, no handler, no error handler).
const CLIENT_ERRORS: Record<string, [status: number, reason: string, code: string, message: string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request was not received in time'],
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'HEADERS_TOO_LARGE',
    'The request headers are too large',
  ],
}
const MALFORMED: [number, string, string, string] = [400, 'Bad Request', 'BAD_REQUEST', 'The request is not valid HTTP']

/** The raw HTTP answer, in the fleet's error shape, to a request Node could not parse. */
export function clientErrorResponse(error: NodeJS.ErrnoException): string {
  const [status, reason, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED
  const body = JSON.stringify(errorBody(code, message))
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`
}

/** Fastify's `clientErrorHandler`: as Fastify's own, but in the fleet's error shape. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection, or one already gone, has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  if (socket.writable) socket.write(clientErrorResponse(error))
  socket.destroy(error)
}

/** Fastify's `frameworkErrors` (a URL that cannot be decoded), answered in the fleet's shape. */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const { statusCode, body } = toErrorResponse(error)
  reply.code(statusCode).send(body)
}
