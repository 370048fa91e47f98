import { prismaOnPool } from '@food/postgres'
import type pg from 'pg'
import { PrismaClient } from './generated/client.ts'

export const createPrismaClient = (pool: pg.Pool) => prismaOnPool(PrismaClient, pool)

export type OrderPrismaClient = ReturnType<typeof createPrismaClient>
