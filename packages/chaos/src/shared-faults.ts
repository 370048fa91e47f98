import type { FastifyBaseLogger } from 'fastify'
import type { ChainableCommander, Redis } from 'ioredis'
import { type ActiveFault, fromFaultState, toFaultState } from './fault-state.ts'
import type { FaultStore } from './fault-store.ts'

/** One field per fault, so replicas changing different faults at once do not undo each other. */
const FAULTS_KEY = 'chaos:faults'

/**
 * Shares a service's faults between its replicas through Redis. A change made on one replica is
 * written to a hash and announced on a channel; every replica then reloads the hash into its own
 * store (also when it starts, and after a lost connection), so a fault set through the gateway
 * strikes every replica. Requests keep reading the in-process store. Without Redis, a change
 * still takes effect on the replica that got it, and the log says it was not shared.
 */
export class SharedFaults {
  readonly #redis: Redis
  readonly #store: FaultStore
  readonly #log: FastifyBaseLogger
  readonly #channel: string
  #subscriber: Redis | undefined
  /** Changes made on this replica so far: a reload that overlapped one is stale (see reload). */
  #localChanges = 0

  constructor(redis: Redis, store: FaultStore, log: FastifyBaseLogger) {
    this.#redis = redis
    this.#store = store
    this.#log = log
    // ioredis prefixes keys, not channels: the prefix keeps each service's replicas to themselves.
    this.#channel = `${redis.options.keyPrefix ?? ''}chaos:changed`
  }

  /** Takes on the faults in force and follows their changes; never fails the start. */
  async start(): Promise<void> {
    const subscriber = this.#redis.duplicate()
    this.#subscriber = subscriber
    subscriber.on('error', (error) => this.#log.debug({ err: error }, 'chaos subscriber connection error'))
    subscriber.on('message', () => void this.reload())
    await subscriber.connect().catch(() => {}) // a failure is reported by #follow
    await this.#follow()
    // Each later 'ready' is Redis back after a loss: changes may have been missed meanwhile.
    subscriber.on('ready', () => void this.#follow())
    const inForce = this.#store.entries().map(([name, fault]) => ({ fault: name, value: fault.value }))
    if (inForce.length > 0)
      this.#log.warn({ faults: inForce }, 'chaos faults in force, set before this replica started')
  }

  stop(): void {
    this.#subscriber?.disconnect()
  }

  /** Listens for changes (again), then catches up with the faults in force. */
  async #follow(): Promise<void> {
    try {
      await this.#subscriber?.subscribe(this.#channel)
    } catch (error) {
      this.#log.warn({ err: error }, 'chaos faults not shared: Redis unavailable, faults apply to this replica only')
    }
    await this.reload()
  }

  /**
   * Reads the shared faults into this replica's store. A read that a change on this replica
   * overtook is dropped, not applied: it could predate the change and would undo it locally.
   * The change's own announcement brings a fresh read, which sees it and everything before it.
   */
  async reload(): Promise<void> {
    try {
      const changesBefore = this.#localChanges
      const stored = await this.#redis.hgetall(FAULTS_KEY)
      if (this.#localChanges !== changesBefore) return
      const faults = Object.entries(stored).map(([name, json]) => [name, fromFaultState(JSON.parse(json))] as const)
      this.#store.replaceAll(new Map(faults))
    } catch (error) {
      this.#log.warn({ err: error }, 'chaos faults of the other replicas could not be read')
    }
  }

  set(name: string, fault: ActiveFault): Promise<void> {
    return this.#publish((multi) => multi.hset(FAULTS_KEY, name, JSON.stringify(toFaultState(fault))))
  }

  /** Clears the named faults, or every fault. */
  clear(names?: string[]): Promise<void> {
    return this.#publish((multi) => (names ? multi.hdel(FAULTS_KEY, ...names) : multi.del(FAULTS_KEY)))
  }

  async #publish(change: (multi: ChainableCommander) => ChainableCommander): Promise<void> {
    this.#localChanges++
    try {
      await change(this.#redis.multi()).publish(this.#channel, 'changed').exec()
    } catch (error) {
      this.#log.warn({ err: error }, 'chaos change not shared: it applies to this replica only')
    }
  }
}
