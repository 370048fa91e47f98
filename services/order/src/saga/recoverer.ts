import type { FastifyBaseLogger } from 'fastify'
import type { SagaInstruments } from './instruments.ts'
import type { OrderTransitions } from './order-transitions.ts'
import type { StockRelease } from './stock-release.ts'

export interface RecovererOptions {
  transitions: OrderTransitions
  release: StockRelease
  /** A PENDING order untouched this long was abandoned by a process that died. */
  pendingTimeoutSeconds: number
  intervalMs: number
  instruments: SagaInstruments
  log: FastifyBaseLogger
}

const BATCH = 20
// How long a claimed order is this replica's to work on before another may take it over.
const LEASE_SECONDS = 60

/** Finishes what crashed or failed requests left: no unit of stock stays held by a dead order. */
export class Recoverer {
  readonly #options: RecovererOptions
  #timer: NodeJS.Timeout | undefined
  #running: Promise<number> | undefined

  constructor(options: RecovererOptions) {
    this.#options = options
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#running ??= this.runOnce()
        .catch((error: Error) => {
          this.#options.log.error({ err: error }, 'recovery round failed')
          return 0
        })
        .finally(() => {
          this.#running = undefined
        })
    }, this.#options.intervalMs)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#running
  }

  /** One round: claims unsettled orders and gives their stock back; returns how many it took. */
  async runOnce(): Promise<number> {
    const { transitions, release, instruments, log, pendingTimeoutSeconds } = this.#options
    const claimed = await transitions.claimUnsettled(pendingTimeoutSeconds, BATCH, LEASE_SECONDS)
    for (const { order, abandoned } of claimed) {
      instruments.recovered.inc({ found: abandoned ? 'abandoned' : 'unreleased' })
      log.warn({ order_id: order.id, abandoned, status: order.status }, 'recovering order')
      await release.giveBack(order, 1)
    }
    return claimed.length
  }
}
