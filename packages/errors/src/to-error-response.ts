import type { FastifyError } from 'fastify'
import { AppError } from './app-error.ts'
import { type ErrorResponse, errorBody } from './error-schema.ts'
import { notOneOf } from './suggest.ts'

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

type Issue = NonNullable<FastifyError['validation']>[number]

/** The value at a JSON Pointer (`/items/0/menu_id`) of what was validated. */
function valueAt(input: unknown, pointer: string): unknown {
  let value = input
  for (const key of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[key.replaceAll('~1', '/').replaceAll('~0', '~')]
  }
  return value
}

/** Ajv says "must be equal to one of the allowed values": name the value and the allowed ones. */
function enumMessage(issue: Issue, input: unknown): string | undefined {
  const allowed = (issue.params as { allowedValues?: unknown[] } | undefined)?.allowedValues
  if (issue.keyword !== 'enum' || !Array.isArray(allowed)) return undefined
  const valid = allowed.map(String)
  const given = valueAt(input, issue.instancePath)
  return given === undefined ? `must be one of ${valid.join(', ')}` : notOneOf(given, valid)
}

/**
 * Maps anything thrown by a handler or by Fastify to the fleet's status and body. `input`: the
 * request's parts as validated (params, body, querystring, headers), to name a bad value.
 */
export function toErrorResponse(error: FastifyError | Error, input?: Record<string, unknown>): ErrorReply {
  if (error instanceof AppError) {
    return { statusCode: error.statusCode, body: errorBody(error.code, error.message, error.details) }
  }
  const fastifyError = error as FastifyError
  if (fastifyError.validation) {
    const context = fastifyError.validationContext
    const issues = fastifyError.validation.map((issue) => ({
      ...issue,
      message: enumMessage(issue, context && input?.[context]) ?? issue.message,
    }))
    const details = issues.map((issue) => ({
      location: context,
      path: issue.instancePath || '/',
      message: issue.message,
      ...(issue.params && Object.keys(issue.params).length > 0 ? { params: issue.params } : {}),
    }))
    // Fastify's own wording (`body/quantity must be >= 1`), with the enums' messages rewritten.
    const message = issues.some((issue) => issue.keyword === 'enum')
      ? issues
          .map(
            (issue) => `${context}${issue.instancePath}${issue.message?.startsWith('`') ? ':' : ''} ${issue.message}`,
          )
          .join(', ')
      : fastifyError.message
    return { statusCode: 400, body: errorBody('VALIDATION_ERROR', message, details) }
  }
  const status = fastifyError.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    const code = FASTIFY_CODES[fastifyError.code] ?? STATUS_CODES[status] ?? 'BAD_REQUEST'
    return { statusCode: status, body: errorBody(code, fastifyError.message) }
  }
  return { statusCode: 500, body: errorBody('INTERNAL_ERROR', 'Internal server error') }
}
