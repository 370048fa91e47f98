import { SQLSTATE, sqlState } from '@food/postgres'
import type pg from 'pg'
import type { UserRecord } from '../domain/user.ts'

export class DuplicateUserError extends Error {
  readonly field: 'username' | 'email'

  constructor(field: 'username' | 'email') {
    super(`${field} already taken`)
    this.field = field
  }
}

// Plain SQL on the service's pool: the Prisma client, with its query planning, cost about 40 MB
// of memory per service for these three statements (see Performance). Prisma keeps the schema,
// the migrations and the dev seed.
const USER_RECORD = `id, username, email, password_hash AS "passwordHash", created_at AS "createdAt"`

/** The one writer of the users table. */
export class UserRepository {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  /** Inserts a user; the unique indexes, not a prior read, decide duplicates, so races are safe. */
  async create(user: { username: string; email: string | null; passwordHash: string }): Promise<UserRecord> {
    try {
      const { rows } = await this.#pool.query<UserRecord>(
        `INSERT INTO users (username, email, password_hash, updated_at) VALUES ($1, $2, $3, now())
         RETURNING ${USER_RECORD}`,
        [user.username, user.email, user.passwordHash],
      )
      return rows[0] as UserRecord
    } catch (error) {
      if (sqlState(error) === SQLSTATE.uniqueViolation) {
        // users_email_key, or one of the two indexes on the username.
        const constraint = (error as { constraint?: string }).constraint ?? ''
        throw new DuplicateUserError(constraint.includes('email') ? 'email' : 'username')
      }
      throw error
    }
  }

  /** The user of this name, whatever its case (a unique index on lower(username) keeps it to one). */
  async findByUsername(username: string): Promise<UserRecord | null> {
    const { rows } = await this.#pool.query<UserRecord>(
      `SELECT ${USER_RECORD} FROM users WHERE lower(username) = lower($1)`,
      [username],
    )
    return rows[0] ?? null
  }

  async findById(id: number): Promise<UserRecord | null> {
    const { rows } = await this.#pool.query<UserRecord>(`SELECT ${USER_RECORD} FROM users WHERE id = $1`, [id])
    return rows[0] ?? null
  }
}
