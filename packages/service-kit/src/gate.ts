/**
 * Bounds how many of some work run at once: at most `running`, `waiting` more queued in order,
 * and beyond that the caller is refused at once with the error `whenFull` makes, instead of
 * queueing without bound. Used where work holds a scarce resource: password hashes (libuv's small
 * thread pool), stock changes (database connections that reads need too).
 */
export class Gate {
  readonly #maxRunning: number
  readonly #maxWaiting: number
  readonly #whenFull: () => Error
  #running = 0
  readonly #queue: (() => void)[] = []

  constructor(limits: { running: number; waiting: number; whenFull: () => Error }) {
    this.#maxRunning = limits.running
    this.#maxWaiting = limits.waiting
    this.#whenFull = limits.whenFull
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#maxRunning) {
      if (this.#queue.length >= this.#maxWaiting) throw this.#whenFull()
      await new Promise<void>((resolve) => this.#queue.push(resolve))
    } else {
      this.#running++
    }
    try {
      return await work()
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = this.#queue.shift()
      if (next) next()
      else this.#running--
    }
  }
}
