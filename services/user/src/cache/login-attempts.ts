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

  async counts(username: string, address: string): Promise<FailureCounts> {
    try {
      const [account, address_] = await Promise.all([this.#read(accountKey(username)), this.#read(addressKey(address))])
      return { account, address: address_ }
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

  async #read(key: string): Promise<{ failures: number; secondsLeft: number }> {
    const [[, failures], [, ttl]] = (await this.#redis.multi().get(key).ttl(key).exec()) as [
      [Error | null, string | null],
      [Error | null, number],
    ]
    return { failures: Number(failures ?? 0), secondsLeft: Math.max(ttl, 0) }
  }
}

// Usernames are one account whatever their case.
const accountKey = (username: string) => `login:failures:account:${username.toLowerCase()}`
const addressKey = (address: string) => `login:failures:address:${address}`
