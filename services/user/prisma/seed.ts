/**
 * Dev seed: the account the original sample's README logs in with in its curls (`user` / `pass`).
 * Written through the service's one writer of `users`. Idempotent: an existing `user` is left as it is.
 */
import { runSeed } from '@food/postgres'
import { UserRepository } from '../src/db/user-repository.ts'
import { hashPassword } from '../src/domain/password.ts'

const DEV_USERS = [{ username: 'user', password: 'pass', email: 'user@example.com' }]

await runSeed(async (pool) => {
  const users = new UserRepository(pool)
  for (const { username, password, email } of DEV_USERS) {
    if (await users.findByUsername(username)) continue
    await users.create({ username, email, passwordHash: await hashPassword(password) })
    console.log(`seeded user ${username}`)
  }
})
