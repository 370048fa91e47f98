import { PrismaPg } from '@prisma/adapter-pg'
import type pg from 'pg'

/**
 * A service's generated Prisma client on the service's own pool, so Prisma, raw SQL and the
 * readiness check share one set of connections.
 */
export function prismaOnPool<Client>(PrismaClient: new (options: { adapter: PrismaPg }) => Client, pool: pg.Pool) {
  return new PrismaClient({ adapter: new PrismaPg(pool) })
}
