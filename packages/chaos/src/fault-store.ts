import type { ActiveFault, FaultValue } from './fault-state.ts'
import { seededRandom } from './seeded-random.ts'

const isExpired = (fault: ActiveFault, now = Date.now()) => fault.expiresAt !== null && fault.expiresAt.getTime() <= now

/**
 * The faults in force in this process. A fault set with a TTL clears itself, so a forgotten
 * fault cannot poison the next experiment; `onExpire` lets the owner log and count that.
 */
export class FaultStore {
  readonly #faults = new Map<string, ActiveFault>()
  readonly #timers = new Map<string, NodeJS.Timeout>()
  /** The draws of each fault set with a seed. */
  readonly #draws = new Map<string, () => number>()
  readonly #onExpire: (name: string) => void

  constructor(onExpire: (name: string) => void = () => {}) {
    this.#onExpire = onExpire
  }

  set(name: string, value: FaultValue, ttlSeconds?: number, seed: number | null = null): ActiveFault {
    const setAt = new Date()
    const expiresAt = ttlSeconds === undefined ? null : new Date(setAt.getTime() + ttlSeconds * 1000)
    const fault = { value, setAt, expiresAt, seed }
    // Set again, even with the same seed: its draws start afresh.
    this.#draws.delete(name)
    this.#put(name, fault)
    return fault
  }

  /**
   * Makes these faults, and only these, the ones in force, keeping their times: how a replica
   * takes on the faults another replica set. Faults already expired are left out.
   */
  replaceAll(faults: Map<string, ActiveFault>): void {
    for (const name of this.#faults.keys()) if (!faults.has(name)) this.clear(name)
    const now = Date.now()
    for (const [name, fault] of faults) {
      if (!isExpired(fault, now)) this.#put(name, fault)
    }
  }

  /** Clears one fault, or all when no name is given; returns the names that were active. */
  clear(name?: string): string[] {
    const names = name === undefined ? [...this.#faults.keys()] : this.#faults.has(name) ? [name] : []
    for (const each of names) {
      this.#cancelTimer(each)
      this.#faults.delete(each)
      this.#draws.delete(each)
    }
    return names
  }

  /**
   * The fault's strength: 0 when off, 1 for a boolean fault that is on. A fault past its TTL is
   * off though its timer has not run yet: under load a timer fires late, and the fault struck
   * requests after its window (found as an order struck 15 ms after it, in a record's traces).
   */
  current(name: string): number {
    const fault = this.#faults.get(name)
    const value = fault && !isExpired(fault) ? fault.value : undefined
    if (value === undefined || value === false) return 0
    return value === true ? 1 : value
  }

  /** The fault's next chance in [0, 1) when it was set with a seed; undefined otherwise. */
  draw(name: string): number | undefined {
    return this.#draws.get(name)?.()
  }

  /** The faults in force (those past their TTL left out, as `current` leaves them). */
  entries(): [string, ActiveFault][] {
    return [...this.#faults.entries()].filter(([, fault]) => !isExpired(fault))
  }

  #put(name: string, fault: ActiveFault): void {
    this.#cancelTimer(name)
    // The same setting taken on again (a replica's reload) goes on drawing where it was.
    const before = this.#faults.get(name)
    const same = before?.seed === fault.seed && before?.setAt.getTime() === fault.setAt.getTime()
    if (fault.seed === null) this.#draws.delete(name)
    else if (!same || !this.#draws.has(name)) this.#draws.set(name, seededRandom(fault.seed))
    this.#faults.set(name, fault)
    if (fault.expiresAt === null) return
    const timer = setTimeout(
      () => {
        this.#faults.delete(name)
        this.#timers.delete(name)
        this.#draws.delete(name)
        this.#onExpire(name)
      },
      Math.max(0, fault.expiresAt.getTime() - Date.now()),
    )
    timer.unref()
    this.#timers.set(name, timer)
  }

  #cancelTimer(name: string): void {
    clearTimeout(this.#timers.get(name))
    this.#timers.delete(name)
  }
}
