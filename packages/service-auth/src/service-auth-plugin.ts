import { unauthorized } from '@food/errors'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { secretGuard } from './secret-matcher.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler of an internal route: the caller is one of the fleet's services. */
    requireServiceToken(request: FastifyRequest): Promise<void>
  }
}

export interface ServiceAuthOptions {
  /** SERVICE_TOKEN, which the services calling this one hold and a browser never sees. */
  token: string
}

const BEARER = /^Bearer (.+)$/i

const serviceAuth: FastifyPluginAsync<ServiceAuthOptions> = async (app, options) => {
  app.decorate(
    'requireServiceToken',
    secretGuard(
      options.token,
      (request) => request.headers.authorization?.match(BEARER)?.[1],
      () =>
        unauthorized(
          'SERVICE_TOKEN_INVALID',
          "This route is for the fleet's services: it needs Authorization: Bearer <SERVICE_TOKEN>",
        ),
    ),
  )
}

export const serviceAuthPlugin = fp(serviceAuth, { name: '@food/service-auth', fastify: '5.x' })

/** The header a service sends to show it is one of the fleet's. */
export const serviceAuthorization = (token: string) => ({ authorization: `Bearer ${token}` })
