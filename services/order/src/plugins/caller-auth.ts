import { unauthorized } from '@food/errors'
import { inSpan } from '@food/telemetry/spans'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Caller, UserClient } from '../clients/user-client.ts'

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller
  }
  interface FastifyInstance {
    /** preHandler: the Bearer token must be confirmed by the user service (`POST /validate`). */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>
  }
}

const callerAuth: FastifyPluginAsync<{ users: UserClient }> = async (app, { users }) => {
  app.decorateRequest('caller', undefined as unknown as Caller)
  app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
    const authorization = request.headers.authorization
    if (!authorization || !/^bearer /i.test(authorization)) {
      reply.header('www-authenticate', 'Bearer')
      throw unauthorized('TOKEN_MISSING', 'An Authorization: Bearer <token> header is required')
    }
    request.caller = await inSpan('order.validate_user', {}, async (span) => {
      const caller = await users.validate(authorization)
      span.setAttribute('enduser.id', String(caller.userId))
      return caller
    })
  })
}

export const callerAuthPlugin = fp(callerAuth, { name: 'caller-auth', fastify: '5.x' })
