/**
 * The `redis-pause` fault: Redis stalled, as an operator or a failover stalls it, with `CLIENT PAUSE`
 * (docs/chaos.md).
 */
import { Redis } from 'ioredis'

/**
 * `CLIENT PAUSE` holds every client's commands (or its writes only) for a while, then Redis runs
 * them. The services' connections stay open and their commands wait: a fault they can neither see
 * coming nor refuse.
 */
export class RedisPause {
  /** When the pause this run made ends by itself (ms since the epoch); 0: none. */
  #pausedUntil = 0

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
    this.#pausedUntil = Date.now() + durationS * 1000
    return { paused_ms: Math.round(durationS * 1000), mode }
  }

  /** Ends a pause this run made before its time (clear-faults); whether one was still on. */
  async unpause(): Promise<boolean> {
    const stillOn = Date.now() < this.#pausedUntil
    this.#pausedUntil = 0
    if (!stillOn) return false
    await this.#command('UNPAUSE')
    return true
  }
}
