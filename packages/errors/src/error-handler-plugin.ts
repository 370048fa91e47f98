import type { FastifyError, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import type { AppError } from './app-error.ts'
import { ErrorResponse, errorBody } from './error-schema.ts'
import { toErrorResponse } from './to-error-response.ts'

/** Recognises an error of some library (e.g. "PostgreSQL is down") and says how to answer it. */
export type ErrorTranslator = (error: Error) => AppError | undefined

declare module 'fastify' {
  interface FastifyInstance {
    /** Lets a plugin that owns a dependency answer that dependency's failures, instead of a 500. */
    addErrorTranslator(translator: ErrorTranslator): void
  }
}

/**
 * Answers every error, including unknown routes, in the fleet-wide shape.
 * 5xx are logged with their stack; 4xx only at info, since they are the client's doing.
 */
const errorHandler: FastifyPluginAsync = async (app) => {
  app.addSchema(ErrorResponse)
  const translators: ErrorTranslator[] = []
  app.decorate('addErrorTranslator', (translator: ErrorTranslator) => {
    translators.push(translator)
  })

  const translate = (error: Error): Error => {
    for (const translator of translators) {
      const translated = translator(error)
      if (translated) return translated
    }
    return error
  }

  app.setErrorHandler<FastifyError>((error, request, reply) => {
    const { statusCode, body } = toErrorResponse(translate(error), {
      params: request.params,
      body: request.body,
      querystring: request.query,
      headers: request.headers,
    })
    // The original error is what is logged: it says what actually broke.
    if (statusCode >= 500) {
      request.log.error({ err: error }, 'request failed')
    } else {
      request.log.info({ code: body.error.code, message: body.error.message }, 'request rejected')
    }
    return reply.code(statusCode).send(body)
  })

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('ROUTE_NOT_FOUND', `Route ${request.method} ${request.url} not found`)),
  )
}

export const errorHandlerPlugin = fp(errorHandler, { name: '@food/errors', fastify: '5.x' })
