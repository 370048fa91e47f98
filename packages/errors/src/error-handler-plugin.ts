import type { FastifyError, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { ErrorResponse } from './error-schema.ts'
import { toErrorResponse } from './to-error-response.ts'

/**
 * Answers every error, including unknown routes, in the fleet-wide shape.
 * 5xx are logged with their stack; 4xx only at info, since they are the client's doing.
 */
const errorHandler: FastifyPluginAsync = async (app) => {
  app.addSchema(ErrorResponse)

  app.setErrorHandler<FastifyError>((error, request, reply) => {
    const { statusCode, body } = toErrorResponse(error)
    if (statusCode >= 500) {
      request.log.error({ err: error }, 'request failed')
    } else {
      request.log.info({ code: body.error.code, message: body.error.message }, 'request rejected')
    }
    return reply.code(statusCode).send(body)
  })

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'ROUTE_NOT_FOUND', message: `Route ${request.method} ${request.url} not found` },
    }),
  )
}

export const errorHandlerPlugin = fp(errorHandler, { name: '@food/errors', fastify: '5.x' })
