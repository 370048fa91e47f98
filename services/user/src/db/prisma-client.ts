import { PrismaPg } from '@prisma/adapter-pg'
import type pg from 'pg'
import { PrismaClient } from './generated/client.ts'

/** Prisma on the service's own pool, so Prisma, raw queries and readiness share one set of connections. */
export const createPrismaClient = (pool: pg.Pool) => new PrismaClient({ adapter: new PrismaPg(pool) })

export type UserPrismaClient = ReturnType<typeof createPrismaClient>
