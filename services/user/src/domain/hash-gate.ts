import { serviceUnavailable } from '@food/errors'

/**
 * Bounds the password hashes computed at once. scrypt runs on libuv's small thread pool: a login
 * flood would queue there without limit and slow everything that needs it (signup took 10× as
 * long under a 20-connection flood). At most `running` hashes run; `waiting` more queue in order;
 * beyond that a request is refused at once (503 AUTH_BUSY) instead of waiting for minutes.
 */
export class HashGate {
  readonly #maxRunning: number
  readonly #maxWaiting: number
  #running = 0
  readonly #queue: (() => void)[] = []

  constructor(limits: { running: number; waiting: number }) {
    this.#maxRunning = limits.running
    this.#maxWaiting = limits.waiting
  }

  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#maxRunning) {
      if (this.#queue.length >= this.#maxWaiting) {
        throw serviceUnavailable('AUTH_BUSY', 'Too many logins and signups at once; try again in a moment')
      }
      await new Promise<void>((resolve) => this.#queue.push(resolve))
    } else {
      this.#running++
    }
    try {
      return await hash()
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = this.#queue.shift()
      if (next) next()
      else this.#running--
    }
  }
}
