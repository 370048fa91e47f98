/**
 * Redis stalled, as an operator or a failover stalls it: `CLIENT PAUSE` holds every client's
 * commands (or its writes only) for a while, then Redis runs them. The services' connections stay
 * open and their commands wait: a fault they can neither see coming nor refuse.
 */
import { Redis } from 'ioredis'

export class RedisPause {
  #paused = false

  constructor(private readonly url: string) {}

  async #command(...args: (string | number)[]): Promise<unknown> {
    const redis = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 })
    try {
      await redis.connect()
      return await redis.call('CLIENT', ...args)
    } finally {
      redis.disconnect()
    }
  }

  /** Pauses Redis' clients for durationS seconds (Redis ends it by itself). */
  async pause(durationS: number, mode: 'ALL' | 'WRITE' = 'ALL'): Promise<unknown> {
    await this.#command('PAUSE', Math.round(durationS * 1000), mode)
    this.#paused = true
    return { paused_ms: Math.round(durationS * 1000), mode }
  }

  /** Ends a pause this run made before its time (clear-faults); whether there was one. */
  async unpause(): Promise<boolean> {
    if (!this.#paused) return false
    this.#paused = false
    await this.#command('UNPAUSE')
    return true
  }
}
