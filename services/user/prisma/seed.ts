/**
 * Dev seed: the account the original sample's README logs in with in its curls (`user` / `pass`).
 * Idempotent: an existing `user` is left as it is.
 */
import { runSeed } from '@food/postgres'
import { createPrismaClient } from '../src/db/prisma-client.ts'
import { hashPassword } from '../src/domain/password.ts'

const DEV_USERS = [{ username: 'user', password: 'pass', email: 'user@example.com' }]

await runSeed(async (pool) => {
  const prisma = createPrismaClient(pool)
  try {
    for (const { username, password, email } of DEV_USERS) {
      if (await prisma.user.findUnique({ where: { username } })) continue
      await prisma.user.create({ data: { username, email, passwordHash: await hashPassword(password) } })
      console.log(`seeded user ${username}`)
    }
  } finally {
    await prisma.$disconnect()
  }
})
