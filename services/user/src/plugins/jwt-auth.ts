import fastifyJwt from '@fastify/jwt'
import { unauthorized } from '@food/errors'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

/** Claims of the tokens this service issues. `sub` is the user id as a string, per RFC 7519. */
export interface TokenClaims {
  sub: string
  username: string
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims
    user: TokenClaims
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler that requires a valid Bearer token and sets `request.user`. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>
  }
}

export interface JwtAuthOptions {
  secret: string
  expiresInSeconds: number
}

const ISSUER = 'food-delivery/user'

const TOKEN_ERRORS: Record<string, [code: string, message: string]> = {
  FST_JWT_NO_AUTHORIZATION_IN_HEADER: ['TOKEN_MISSING', 'An Authorization: Bearer <token> header is required'],
  FST_JWT_AUTHORIZATION_TOKEN_EXPIRED: ['TOKEN_EXPIRED', 'The token has expired; log in again'],
}

const jwtAuth: FastifyPluginAsync<JwtAuthOptions> = async (app, options) => {
  await app.register(fastifyJwt, {
    secret: options.secret,
    sign: { expiresIn: options.expiresInSeconds, iss: ISSUER },
    // A token without an expiry would be valid forever, one without an issuer was not made here.
    verify: { allowedIss: ISSUER, requiredClaims: ['exp', 'iss', 'sub'] },
  })

  app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await request.jwtVerify()
    } catch (error) {
      const [code, message] = TOKEN_ERRORS[(error as { code?: string }).code ?? ''] ?? [
        'TOKEN_INVALID',
        'The token is malformed, tampered with or not issued by this service',
      ]
      reply.header('www-authenticate', `Bearer error="invalid_token"`)
      throw unauthorized(code, message)
    }
  })
}

export const jwtAuthPlugin = fp(jwtAuth, { name: 'jwt-auth', fastify: '5.x' })
