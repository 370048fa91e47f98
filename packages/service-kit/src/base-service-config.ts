import { serviceEnv } from '@food/config'
import { type Static, Type } from '@sinclair/typebox'

const baseSchema = Type.Object(serviceEnv({ port: 0, redisKeyPrefix: '' }))

/** What the platform reads from a service's configuration; every service's config extends it. */
export type BaseServiceConfig = Static<typeof baseSchema>
