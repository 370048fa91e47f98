import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { FailureCounts, LoginLimits } from '../domain/login-throttle.ts'

const NO_FAILURES: FailureCounts = {
  account: { failures: 0, secondsLeft: 0 },
  address: { failures: 0, secondsLeft: 0 },
}

/**
 * Failed logins per account and per address, in Redis so that every replica counts the same
 * failures. If Redis fails, logins are not throttled (logged): the fleet keeps letting people in.
 */
export class LoginAttempts {
  readonly #redis: Redis
  readonly #log: FastifyBaseLogger
  readonly limits: LoginLimits

  constructor(redis: Redis, limits: LoginLimits, log: FastifyBaseLogger) {
    this.#redis = redis
    this.limits = limits
    this.#log = log
  }

  /** Both counts and their windows' time left, in one round trip. */
  async counts(username: string, address: string): Promise<FailureCounts> {
    try {
      const replies = await this.#redis
        .multi()
        .get(accountKey(username))
        .ttl(accountKey(username))
        .get(addressKey(address))
        .ttl(addressKey(address))
        .exec()
      const [failures, ttl, addressFailures, addressTtl] = (replies ?? []).map(([error, value]) => {
        if (error) throw error
        return Number(value ?? 0)
      })
      return {
        account: { failures: failures ?? 0, secondsLeft: Math.max(ttl ?? 0, 0) },
        address: { failures: addressFailures ?? 0, secondsLeft: Math.max(addressTtl ?? 0, 0) },
      }
    } catch (error) {
      this.#log.warn({ err: error }, 'login failures could not be read: not throttling')
      return NO_FAILURES
    }
  }

  async failed(username: string, address: string): Promise<void> {
    const window = this.limits.windowSeconds
    try {
      const multi = this.#redis.multi()
      for (const key of [accountKey(username), addressKey(address)]) multi.incr(key).expire(key, window, 'NX')
      await multi.exec()
    } catch (error) {
      this.#log.warn({ err: error }, 'a failed login could not be counted')
    }
  }

  async succeeded(username: string): Promise<void> {
    await this.#redis.del(accountKey(username)).catch((error: Error) => {
      this.#log.warn({ err: error }, 'the failed logins of an account could not be cleared')
    })
  }
}

// Usernames are one account whatever their case.
const accountKey = (username: string) => `login:failures:account:${username.toLowerCase()}`
const addressKey = (address: string) => `login:failures:address:${address}`
