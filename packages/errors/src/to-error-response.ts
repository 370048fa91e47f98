import type { FastifyError } from 'fastify'
import { AppError } from './app-error.ts'
import { type ErrorResponse, errorBody } from './error-schema.ts'

export interface ErrorReply {
  statusCode: number
  body: ErrorResponse
}

// Fastify's own client errors keep their status; they get a code in the fleet's vocabulary.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
  FST_ERR_VALIDATION: 'VALIDATION_ERROR',
  FST_ERR_BAD_URL: 'BAD_URL',
}

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
}

/** Maps anything thrown by a handler or by Fastify to the fleet's status and body. */
export function toErrorResponse(error: FastifyError | Error): ErrorReply {
  if (error instanceof AppError) {
    return { statusCode: error.statusCode, body: errorBody(error.code, error.message, error.details) }
  }
  const fastifyError = error as FastifyError
  if (fastifyError.validation) {
    const details = fastifyError.validation.map((issue) => ({
      location: fastifyError.validationContext,
      path: issue.instancePath || '/',
      message: issue.message,
      ...(issue.params && Object.keys(issue.params).length > 0 ? { params: issue.params } : {}),
    }))
    return { statusCode: 400, body: errorBody('VALIDATION_ERROR', fastifyError.message, details) }
  }
  const status = fastifyError.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    const code = FASTIFY_CODES[fastifyError.code] ?? STATUS_CODES[status] ?? 'BAD_REQUEST'
    return { statusCode: status, body: errorBody(code, fastifyError.message) }
  }
  return { statusCode: 500, body: errorBody('INTERNAL_ERROR', 'Internal server error') }
}
