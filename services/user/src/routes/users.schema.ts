import { errorResponse } from '@food/errors'
import { POSTGRES_INT_MAX } from '@food/postgres'
import { Type } from '@sinclair/typebox'
import { PublicProfile } from '../domain/user.ts'

export const getUserSchema = {
  tags: ['users'],
  summary: 'Public profile of a user',
  description: 'Cached in Redis; the `X-Cache` header says whether this answer came from the cache.',
  params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: POSTGRES_INT_MAX, examples: [1] }) }),
  response: {
    200: PublicProfile,
    400: errorResponse(400),
    404: errorResponse(404, 'USER_NOT_FOUND'),
    503: errorResponse(503),
  },
}
