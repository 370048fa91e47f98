import type { UserRecord } from '../domain/user.ts'
import { Prisma } from './generated/client.ts'
import type { UserPrismaClient } from './prisma-client.ts'

export class DuplicateUserError extends Error {
  readonly field: 'username' | 'email'

  constructor(field: 'username' | 'email') {
    super(`${field} already taken`)
    this.field = field
  }
}

const UNIQUE_VIOLATION = 'P2002'

/** The field of a unique-constraint violation, from the constraint name Prisma reports. */
function duplicateField(error: Prisma.PrismaClientKnownRequestError): 'username' | 'email' {
  return JSON.stringify(error.meta ?? {}).includes('email') ? 'email' : 'username'
}

export class UserRepository {
  readonly #prisma: UserPrismaClient

  constructor(prisma: UserPrismaClient) {
    this.#prisma = prisma
  }

  /** Inserts a user; the unique indexes, not a prior read, decide duplicates, so races are safe. */
  async create(user: { username: string; email: string | null; passwordHash: string }): Promise<UserRecord> {
    try {
      return await this.#prisma.user.create({ data: user })
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === UNIQUE_VIOLATION) {
        throw new DuplicateUserError(duplicateField(error))
      }
      throw error
    }
  }

  /** The user of this name, whatever its case (a unique index on lower(username) keeps it to one). */
  async findByUsername(username: string): Promise<UserRecord | null> {
    const rows = await this.#prisma.$queryRaw<UserRecord[]>`
      SELECT id, username, email, password_hash AS "passwordHash", created_at AS "createdAt"
      FROM users WHERE lower(username) = lower(${username})`
    return rows[0] ?? null
  }

  findById(id: number): Promise<UserRecord | null> {
    return this.#prisma.user.findUnique({ where: { id } })
  }
}
