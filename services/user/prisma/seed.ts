/**
 * Dev seed: the account the seed README's curl examples log in with (`user` / `pass`).
 * Idempotent: an existing `user` is left as it is.
 */
import { withAdvisoryLock } from '@food/postgres'
import pg from 'pg'
import { createPrismaClient } from '../src/db/prisma-client.ts'
import { hashPassword } from '../src/domain/password.ts'

const DEV_USERS = [{ username: 'user', password: 'pass', email: 'user@example.com' }]

const databaseUrl = process.env.DATABASE_URL
if (!databaseUrl) throw new Error('DATABASE_URL is required but not set')
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
const prisma = createPrismaClient(pool)
try {
  // Replicas starting together seed one after the other, and the second finds it done.
  await withAdvisoryLock(pool, 'seed', async () => {
    for (const { username, password, email } of DEV_USERS) {
      const existing = await prisma.user.findUnique({ where: { username } })
      if (existing) continue
      await prisma.user.create({ data: { username, email, passwordHash: await hashPassword(password) } })
      console.log(`seeded user ${username}`)
    }
  })
} finally {
  await prisma.$disconnect()
  await pool.end()
}
