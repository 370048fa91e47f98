import type { OrderCache } from '../cache/order-cache.ts'
import type { OrderRepository } from '../db/order-repository.ts'
import { type OrderRecord, type TransitionExtras, type TransitionName, transitionOf } from '../domain/order.ts'
import type { SagaInstruments } from './instruments.ts'

/** Every status change goes through here: compare-and-set, then the cache, then the metrics. */
export class OrderTransitions {
  readonly #orders: OrderRepository
  readonly #cache: OrderCache
  readonly #instruments: SagaInstruments

  constructor(orders: OrderRepository, cache: OrderCache, instruments: SagaInstruments) {
    this.#orders = orders
    this.#cache = cache
    this.#instruments = instruments
  }

  /** The order after the named move (ORDER_TRANSITIONS), or `undefined` if it was no longer where the move starts. */
  async move<N extends TransitionName>(
    id: number,
    name: N,
    ...extras: N extends keyof TransitionExtras ? [TransitionExtras[N]] : []
  ): Promise<OrderRecord | undefined> {
    const { from, to: change } = transitionOf(name, ...extras)
    const order = await this.#orders.transition(id, from, change)
    if (!order) return undefined
    await this.#changed(
      id,
      change.status && change.status !== 'PENDING'
        ? { status: change.status, reason: change.failureReason }
        : undefined,
    )
    return order
  }

  /**
   * The recoverer's claim of unsettled orders (one statement, see the repository); an abandoned
   * PENDING order became FAILED in it, and is counted as such.
   */
  async claimUnsettled(pendingTimeoutSeconds: number, batch: number, leaseSeconds: number) {
    const claimed = await this.#orders.claimUnsettled(pendingTimeoutSeconds, batch, leaseSeconds)
    for (const { order, abandoned } of claimed) {
      await this.#changed(order.id, abandoned ? { status: 'FAILED', reason: 'abandoned' } : undefined)
    }
    return claimed
  }

  async #changed(id: number, outcome?: { status: string; reason?: string | undefined }): Promise<void> {
    await this.#cache.invalidate(id)
    if (outcome) this.#instruments.outcomes.inc({ status: outcome.status, reason: outcome.reason ?? 'none' })
  }
}
