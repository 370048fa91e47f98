import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import type { RestaurantClient } from '../clients/restaurant-client.ts'
import type { OrderItemRecord, OrderRecord } from '../domain/order.ts'
import type { SagaInstruments } from './instruments.ts'
import type { OrderTransitions } from './order-transitions.ts'
import type { SagaStep } from './saga-step.ts'

export interface StockReleaseOptions {
  restaurant: RestaurantClient
  transitions: OrderTransitions
  /** Chaos `restore_fail`: whether this restore fails before it reaches the restaurant. */
  restoreFailsByChaos: () => boolean
  attempts: number
  backoffMs: number
  step: SagaStep
  instruments: SagaInstruments
  log: FastifyBaseLogger
}

/** Delay before the recoverer's next try: doubles per failed round, capped at 5 minutes. */
export const retryDelayMs = (backoffMs: number, rounds: number) => Math.min(backoffMs * 2 ** rounds, 300_000)

/**
 * Gives back every unit an order holds (its compensation). Restores are idempotent at the
 * restaurant, so every item is restored, reserved or not: one whose reserve never arrived is
 * voided there, which also bars that reserve if it is still on its way. What cannot be restored
 * now is retried with backoff, then left `releasing` for the recoverer: a unit is never dropped.
 */
export class StockRelease {
  readonly #options: StockReleaseOptions

  constructor(options: StockReleaseOptions) {
    this.#options = options
  }

  /** True when every item is back and the order is `released` (false: deferred, or `release_refused`). */
  giveBack(order: OrderRecord, attempts = this.#options.attempts): Promise<boolean> {
    return this.#options.step('release_stock', { 'order.id': order.id }, async (span) => {
      const released = await this.#giveBack(order, attempts)
      span.setAttribute('order.stock_released', released)
      return released
    })
  }

  async #giveBack(order: OrderRecord, attempts: number): Promise<boolean> {
    const { transitions, backoffMs, instruments, log } = this.#options
    let pending = order.items
    let refused = false
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const outcomes = await Promise.all(
        pending.map((item) =>
          this.#restore(order.id, item).then(
            (outcome) => ({ item, outcome }),
            (error: Error) => {
              log.warn({ order_id: order.id, menu_id: item.menuId, err: error }, 'restore failed, will retry')
              return { item, outcome: 'failed' as const }
            },
          ),
        ),
      )
      refused ||= outcomes.some(({ outcome }) => outcome === 'refused')
      pending = outcomes.filter(({ outcome }) => outcome === 'failed').map(({ item }) => item)
      if (pending.length === 0) {
        // A refused restore gave nothing back: the order must not say its units are back.
        await transitions.move(order.id, refused ? 'releaseRefused' : 'released')
        instruments.releases.inc({ outcome: refused ? 'release_refused' : 'released' })
        return !refused
      }
      if (attempt < attempts) await sleep(retryDelayMs(backoffMs, attempt - 1))
    }
    const rounds = order.releaseAttempts + 1
    await transitions.move(order.id, 'releaseDeferred', {
      releaseAttempts: rounds,
      nextAttemptAt: new Date(Date.now() + retryDelayMs(backoffMs, rounds)),
    })
    instruments.releases.inc({ outcome: 'deferred' })
    log.warn({ order_id: order.id, items_left: pending.length }, 'stock release deferred to the recoverer')
    return false
  }

  /** `restored` (or nothing to give back), or `refused` for good; a failure to be retried throws. */
  async #restore(orderId: number, item: OrderItemRecord): Promise<'restored' | 'refused'> {
    const { restaurant, restoreFailsByChaos, instruments, log } = this.#options
    if (restoreFailsByChaos()) throw new Error('restore failed by chaos (POST /chaos/restore_fail)')
    const answer = await restaurant.changeStock(item.menuId, orderId, item.quantity, 'restore')
    if (answer.ok) return 'restored'
    // A refusal is final (the menu is gone, or quantities disagree): retrying cannot help.
    instruments.refusedRestores.inc({ code: answer.code })
    log.error({ order_id: orderId, menu_id: item.menuId, code: answer.code }, 'restaurant refused a restore')
    return 'refused'
  }
}
