import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '@food/errors'
import type { ProfileCache } from '../cache/profile-cache.ts'
import { getUserSchema } from './users.schema.ts'

export interface UserRoutesOptions {
  profiles: ProfileCache
}

export const userRoutes: FastifyPluginAsyncTypebox<UserRoutesOptions> = async (app, { profiles }) => {
  app.get('/users/:id', { schema: getUserSchema }, async (request, reply) => {
    const profile = await profiles.get(request.params.id)
    if (!profile) throw notFound('USER_NOT_FOUND', `No user with id ${request.params.id}`)
    return reply.header('x-cache', profile.source).send(profile.value)
  })
}
